// Tiny DOM helpers: build elements without innerHTML, swap views, show banners.

/** Creates an element; `on*` props become listeners, other props attributes or properties. */
export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (typeof v !== 'string' && k in el) el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...kids.flat(9).filter((c) => c != null && c !== false));
  return el;
}

const main = () => document.getElementById('main');

/** Replaces the page's content and moves focus to its heading, as a page load would. */
export function render(...nodes) {
  const m = main();
  m.replaceChildren(...nodes.flat());
  const title = m.querySelector('h1');
  if (title) {
    title.tabIndex = -1;
    document.title = `${title.textContent} · Tadrib`;
    title.focus({ preventScroll: true });
  }
  scrollTo(0, 0);
}

/** Shows a dismissible message at the top of the page; `id` keeps one of each kind. */
export function banner(id, text, action, kind = 'info') {
  const box = document.getElementById('banners');
  document.getElementById(`b-${id}`)?.remove();
  if (!text) return;
  box.append(h('div', { id: `b-${id}`, class: `banner ${kind}` },
    h('p', null, text),
    action && h('button', { type: 'button', onclick: action.run }, action.label)));
}

/** A labelled radio list inside a fieldset. */
export function radios(name, legend, options, value, onchange, extra = {}) {
  return h('fieldset', { class: 'choices', ...extra },
    h('legend', null, legend),
    options.map(([v, label]) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name, value: String(v), checked: String(value) === String(v), onchange }),
      h('span', null, label))));
}
