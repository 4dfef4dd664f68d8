// Whether this phone can open its training with no network: the training is stored in
// IndexedDB and an active service worker holds the app's files. Said on the first screens.

import { h } from './ui.js';
import { t, tr, LANGS, RTL } from './i18n.js';

let state = 'storing'; // storing | yes | offline | failed
let shownAs = null; // null (hidden), 'one' (the chosen language) or 'all' (before a choice)

/** Records how far the phone is; the line on screen follows. */
export function setReady(s) {
  state = s;
  draw();
}

export const isReady = () => state === 'yes';

/** Shows the line in the chosen language, in every language, or not at all. */
export function showReady(how) {
  shownAs = how;
  draw();
}

function draw() {
  const el = document.getElementById('ready');
  if (!el) return;
  el.hidden = !shownAs;
  el.dataset.state = state;
  const key = `ready_${state}`;
  el.replaceChildren(...(shownAs === 'all'
    ? Object.keys(LANGS).map((l) => h('span', { lang: l, dir: RTL.has(l) ? 'rtl' : 'ltr' }, tr(l, key)))
    : [h('span', null, t(key))]));
}
