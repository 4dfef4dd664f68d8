// The participant app: boot, routes, the training's home, profile and language.

import { getMeta, setMeta, all, get, put } from './db.js';
import { h, render, banner, radios } from './ui.js';
import { t, setLang, pick, when, day, fmt, LANGS } from './i18n.js';
import { buildCode, normaliseCard } from './code.js';
import { load, revalidate, held, windowState, BundleError } from './bundle.js';
import { flush, events, listen, exportUnsent, deviceId } from './outbox.js';
import { showForm } from './form.js';
import { setReady, showReady, isReady } from './ready.js';

const PHASES = ['pre', 'post', 'evaluation', 'followup'];
const STALE_MS = 2 * 24 * 3600 * 1000; // Safari may erase a site's storage after days unvisited
const AGES = ['18-24', '25-34', '35-44', '45-54', '55+'];
const code = location.pathname.startsWith('/t/')
  ? decodeURIComponent(location.pathname.slice(3).split('/')[0]) : null;
let ctx = null; // {code, bundle, profile, go, home}
let shown = ''; // the view on screen, so that only state views redraw themselves

const go = (hash) => { if (location.hash.slice(1) === hash.replace('#', '')) route(); else location.hash = hash; };
const home = () => go('#');

// One route at a time, each reading the address when it runs: a redraw that began before a
// tap on a link must not finish after it and cover the new screen.
let routing = Promise.resolve();
function route() {
  routing = routing.then(show, show);
  return routing;
}

/**
 * The training of this join link, stored on the phone: started when the page loads, before
 * any tap, so that one visit online is enough whatever screen the person is on.
 */
let preparing = null;
function prepare() {
  preparing ??= load(code).then((rec) => {
    ctx = { code, bundle: rec.bundle, go, home, send: () => tick(true) };
    navigator.storage?.persist?.().catch(() => {});
    if (rec.stored) renew();
    return ctx;
  }).catch((e) => { preparing = null; throw e; });
  return preparing;
}

/**
 * Asks whether the training changed (windows opened or closed, joining); redraws if so. One
 * question at a time: an unchanged training costs a 304 with no body.
 */
let renewing = null;
function renew() {
  renewing ??= revalidate(code).then((fresh) => {
    if (!fresh || !ctx) return;
    ctx.bundle = fresh.bundle;
    if (shown === 'closed') route(); else refresh(); // a form being filled is left alone
  }).finally(() => { renewing = null; });
  return renewing;
}

const RENEW_MS = 60 * 1000;
/** While the page is seen and online, the trainer's "open now" reaches it within a minute. */
function watchTraining() {
  const due = () => ctx && navigator.onLine && document.visibilityState === 'visible';
  setInterval(() => { if (due()) renew(); }, RENEW_MS);
  document.addEventListener('visibilitychange', () => { if (due()) renew(); });
}

/** Says when the phone is ready offline: the training stored and the worker active. */
async function watchReady() {
  setReady('storing');
  try {
    await prepare();
  } catch (e) {
    setReady(e instanceof BundleError && e.kind === 'offline' ? 'offline' : 'failed');
    return;
  }
  try {
    await shellStored();
    setReady('yes');
  } catch {
    setReady(navigator.onLine ? 'failed' : 'offline');
  }
}

/**
 * Resolves once a worker holding the shell is active; rejects if its install failed. An
 * install cut short by a network that dropped for a moment is tried again while online.
 */
async function shellStored(tries = 3) {
  if (!('serviceWorker' in navigator)) throw new Error('no service worker');
  let reg = await (registering ??= register());
  if (reg.active) return;
  // A first install that failed leaves no worker at all: register again.
  if (!reg.installing && !reg.waiting) reg = await (registering = register());
  const w = reg.installing || reg.waiting;
  try {
    await new Promise((resolve, reject) => {
      const failed = () => w?.state === 'redundant' && reject(new Error('install failed'));
      navigator.serviceWorker.ready.then(resolve);
      w?.addEventListener('statechange', failed);
      failed();
    });
  } catch (e) {
    if (tries <= 1 || !navigator.onLine) throw e;
    await shellStored(tries - 1);
  }
}

// The readiness line is shown once the view is drawn: it sits below it, and moves nothing.
async function show() {
  shown = '';
  showReady(null);
  const how = await view();
  if (code) showReady(how);
}

async function view() {
  const hash = location.hash.slice(1);
  if (!(await getMeta('lang')) || hash === 'lang') {
    await showLanguage();
    return 'all';
  }
  if (!code) return showHome();
  if (!ctx) {
    try {
      await prepare();
    } catch (e) {
      return showLoadError(e);
    }
  }
  ctx.profile = await getMeta(`profile:${code}`);
  const [screen, phase, pos] = hash.split('/');
  // Joining closed: only someone who took part before goes on, with the same code as before.
  if (!ctx.profile && !ctx.bundle.training.joining_open && screen !== 'profile') return showClosed();
  if (screen === 'profile' || !ctx.profile) {
    showProfile(screen === 'q' ? hash : '');
    return 'one';
  }
  if (screen === 'q' && ctx.bundle.forms[phase]) {
    if (await mayOpen(phase)) return showForm(ctx, phase, pos === undefined ? NaN : Number(pos));
    history.replaceState(null, '', location.pathname); // not open: the address says home too
  }
  await showTraining();
  return 'one';
}

/** The phone's language when the training offers it, else the training's first language. */
function phoneLang() {
  const offered = (ctx?.bundle.languages || Object.keys(LANGS)).filter((l) => LANGS[l]);
  const wanted = (navigator.languages?.length ? navigator.languages : [navigator.language || ''])
    .map((l) => l.slice(0, 2).toLowerCase());
  return wanted.find((l) => offered.includes(l)) || offered[0] || 'en';
}

function showClosed() {
  shown = 'closed';
  render(
    h('h1', null, title(ctx.bundle)),
    h('p', { class: 'muted' }, dates(ctx.bundle)),
    h('p', { class: 'warn', id: 'closed', role: 'alert' }, t('closed')),
    h('p', { id: 'rejoin-help' }, t('rejoin_help')),
    h('a', { href: '#profile', id: 'rejoin', class: 'button secondary', 'aria-describedby': 'rejoin-help' }, t('rejoin')),
  );
}

async function showLanguage() {
  const chosen = await getMeta('lang');
  const current = chosen || phoneLang();
  if (!chosen) setLang(current);
  const pickLang = async (l) => {
    setLang(l);
    await setMeta('lang', l);
    go('#');
  };
  render(
    h('h1', null, 'Tadrib · تدريب'),
    h('p', { class: 'muted' }, `${LANGS.en} · ${LANGS.fr} · ${LANGS.ar}`),
    h('ul', { class: 'langs', 'aria-label': t('choose_lang') }, Object.entries(LANGS).map(([l, name]) =>
      h('li', null, h('button', { type: 'button', lang: l, dir: l === 'ar' ? 'rtl' : 'ltr', onclick: () => pickLang(l), 'aria-pressed': String(l === current) }, name)))),
  );
}

function showLoadError(e) {
  const kind = e instanceof BundleError ? e.kind : 'failed';
  render(
    h('h1', null, t('app')),
    h('p', { class: 'error', role: 'alert' }, t(kind === 'unknown' ? 'unknown_code' : kind === 'offline' ? 'need_network' : 'load_failed')),
    h('button', { type: 'button', onclick: () => location.reload() }, t('retry')),
    h('p', null, h('a', { href: '/app/' }, t('all_trainings'))),
  );
}

const title = (b) => pick(b.training.title, b.training.id);
const dates = (b) => [b.training.location, `${b.training.starts_on} – ${b.training.ends_on}`].filter(Boolean).join(' · ');

async function showHome() {
  shown = 'home';
  const list = await held();
  const outbox = await all('outbox');
  render(
    h('h1', null, t('my_trainings')),
    list.length
      ? h('ul', { class: 'cards' }, list.map((r) => h('li', null,
        h('a', { href: `/t/${encodeURIComponent(r.code)}`, class: 'card' },
          h('strong', null, title(r.bundle)), h('span', { class: 'muted' }, dates(r.bundle)),
          outbox.some((o) => o.code === r.code) ? h('span', { class: 'tag' }, t('pending_n', { n: outbox.filter((o) => o.code === r.code).length })) : null))))
      : h('p', null, t('no_trainings')),
    h('form', { class: 'join', onsubmit: (e) => { e.preventDefault(); const v = e.target.elements.code.value.trim(); if (v) location.href = `/t/${encodeURIComponent(v)}`; } },
      h('label', { for: 'code' }, t('join_code')),
      h('div', { class: 'row' }, h('input', { id: 'code', name: 'code', autocomplete: 'off', autocapitalize: 'characters', dir: 'ltr' }),
        h('button', { type: 'submit' }, t('open')))),
    await outboxPanel(outbox),
  );
}

/** A form is opened when begun already, or when its window is open by this phone's clock. */
async function mayOpen(phase) {
  return (await phaseStatus(phase)).st !== 'new' || windowState(ctx.bundle, phase).state === 'open';
}

/** What this phone holds for the training, per phase: new, draft, queued, sent or attention. */
async function phaseStatus(phase) {
  const out = (await all('outbox')).find((r) => r.code === code && r.phase === phase);
  if (out) return out.state === 'pending' ? { st: 'queued' } : { st: 'attention', rec: out };
  const sent = (await all('sent')).find((r) => r.code === code && r.phase === phase);
  if (sent) return { st: 'sent', rec: sent };
  const draft = await get('drafts', `${code}/${phase}`);
  return draft ? { st: 'draft', draft } : { st: 'new' };
}

function problem(rec) {
  return rec.state === 'conflict' ? t('conflict') : t('rejected', { detail: rec.detail });
}

async function showTraining() {
  shown = 'training';
  const b = ctx.bundle;
  const p = ctx.profile;
  const inst = b.institutions.find((i) => i.key === p?.institution);
  const phases = [];
  let next = Infinity; // when the next window opens: the screen is drawn again then
  for (const phase of PHASES) {
    if (!b.forms[phase]) continue;
    const s = await phaseStatus(phase);
    const w = windowState(b, phase);
    if (w.state === 'soon') next = Math.min(next, w.at - Date.now());
    if (s.st === 'new' && w.state !== 'open') {
      phases.push(h('li', { class: `phase ${w.state}` },
        h('h2', null, t(`phase_${phase}`)),
        h('p', { class: 'muted' }, pick(b.forms[phase].title)),
        h('p', { class: 'status' }, w.state === 'soon'
          ? t('opens_at', { time: w.day ? day(w.at) : when(w.at) }) : t('phase_closed'))));
      continue;
    }
    phases.push(h('li', { class: `phase ${s.st}` },
      h('h2', null, t(`phase_${phase}`)),
      h('p', { class: 'muted' }, pick(b.forms[phase].title)),
      s.st === 'new' && b.forms[phase].description ? h('p', null, pick(b.forms[phase].description)) : null,
      h('p', { class: 'status' }, t(`st_${s.st}`)),
      s.st === 'sent' && s.rec.score != null && b.training.show_score
        ? h('p', { class: 'score' }, t('score', { score: Math.round(s.rec.score * 10) / 10 })) : null,
      s.st === 'attention' ? h('p', { class: 'error' }, problem(s.rec)) : null,
      s.st === 'new' || s.st === 'draft'
        ? h('a', { class: 'button', href: `#q/${phase}` }, t(s.st === 'new' ? 'start' : 'resume')) : null));
  }
  render(
    h('h1', null, title(b)),
    h('p', { class: 'muted' }, dates(b)),
    p ? h('section', { class: 'profile', 'aria-label': t('profile') },
      h('p', null, h('strong', { dir: 'ltr' }, p.code), ' · ', pick(inst?.name, p.institution)),
      h('a', { href: '#profile' }, t('edit_profile'))) : null,
    h('ul', { class: 'phases' }, phases),
    await outboxPanel(await all('outbox')),
  );
  clearTimeout(opening);
  if (next < Infinity) opening = setTimeout(refresh, Math.min(next + 500, 2 ** 31 - 1));
}

let opening;

async function outboxPanel(outbox) {
  const pending = outbox.filter((r) => r.state === 'pending');
  const attention = outbox.filter((r) => r.state !== 'pending');
  const stale = outbox.filter((r) => Date.now() - Date.parse(r.queued_at) > STALE_MS);
  const sent = (await all('sent')).filter((r) => !code || r.code === code);
  const last = await getMeta('last_sync');
  const failing = (await getMeta('failures')) > 0;
  const send = async (e) => {
    e.target.disabled = true;
    e.target.textContent = t('sending');
    await tick('asked');
    refresh();
  };
  return h('section', { class: 'outbox', 'aria-labelledby': 'outbox-h' },
    h('h2', { id: 'outbox-h' }, t('outbox')),
    h('p', { id: 'queue', role: 'status' }, outbox.length
      ? [t('pending_n', { n: pending.length }), attention.length ? ` · ${t('attention_n', { n: attention.length })}` : '']
      : t('all_sent')),
    h('p', { class: 'muted' }, t('sent_n', { n: sent.length }), last ? ` · ${t('last_sync', { time: when(last) })}` : ''),
    failing && pending.length && navigator.onLine ? h('p', { class: 'warn' }, t('retry_in')) : null,
    !navigator.onLine ? h('p', { class: 'warn' }, t('offline')) : null,
    stale.length ? h('p', { class: 'error', id: 'stale' }, t('stale_n', { n: stale.length })) : null,
    pending.length ? h('button', { type: 'button', id: 'send', onclick: send }, t('send_now')) : null,
    outbox.length ? h('button', { type: 'button', id: 'export', class: 'secondary', onclick: download, 'aria-describedby': 'export-help' }, t('export')) : null,
    outbox.length ? h('p', { class: 'muted', id: 'export-help' }, t('export_help')) : null,
  );
}

async function download() {
  const data = await exportUnsent();
  const a = h('a', {
    href: URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' })),
    download: `tadrib-unsent-${data.device.slice(0, 8)}-${data.exported_at.slice(0, 10)}.json`,
  });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

function showProfile(then) {
  const b = ctx.bundle;
  const p = { institution: '', sex: '', age_band: '', mode: 'build', mother: '', day: '', place: '', card: '', ...ctx.profile };
  const preview = h('p', { class: 'code', role: 'status', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert' });
  const codeNow = () => (p.mode === 'card' ? normaliseCard(p.card) : buildCode(p.mother, p.day, p.place));
  const update = () => {
    const c = codeNow();
    preview.replaceChildren(c ? h('span', null, t('code_is', { code: '' }), h('strong', { dir: 'ltr' }, c)) : '', c ? h('br') : '', c ? t('code_confirm') : '');
    build.hidden = p.mode === 'card';
    card.hidden = p.mode !== 'card';
  };
  const text = (key, label, attrs) => h('div', { class: 'field' },
    h('label', { for: key }, label),
    h('input', { id: key, value: p[key], autocomplete: 'off', autocapitalize: 'characters', spellcheck: false, ...attrs, oninput: (e) => { p[key] = e.target.value; update(); } }));
  const build = h('div', null,
    text('mother', t('code_mother'), { maxlength: 20 }),
    text('day', t('code_day'), { inputmode: 'numeric', maxlength: 2, dir: 'ltr' }),
    text('place', t('code_place'), { maxlength: 20 }));
  const card = h('div', null, text('card', t('code_card_label'), { maxlength: 24, dir: 'ltr' }));
  const save = async (e) => {
    e.preventDefault();
    const c = codeNow();
    const lack = !p.institution ? 'institution' : !p.sex ? 'sex' : !c ? (p.mode === 'card' ? 'card' : 'mother') : null;
    if (lack) {
      error.textContent = lack === 'institution' || lack === 'sex' ? `${t(lack)}: ${t('choose')}` : t('code_missing');
      document.querySelector(`[name=${lack}], #${lack}`)?.focus();
      return;
    }
    const profile = { ...p, code: c };
    await setMeta(`profile:${code}`, profile);
    ctx.profile = profile;
    go(then ? `#${then}` : '#');
  };
  const rejoining = !ctx.profile && !b.training.joining_open;
  render(
    h('h1', null, t('profile')),
    rejoining ? h('p', { class: 'warn', id: 'rejoin-help' }, t('rejoin_help')) : null,
    h('form', { onsubmit: save, novalidate: true },
      radios('institution', t('institution'), b.institutions.map((i) => [i.key, pick(i.name, i.key)]), p.institution, (e) => { p.institution = e.target.value; }),
      radios('sex', t('sex'), ['female', 'male', 'other', 'undisclosed'].map((s) => [s, t(`sex_${s}`)]), p.sex, (e) => { p.sex = e.target.value; }),
      h('div', { class: 'field' }, h('label', { for: 'age' }, t('age_band')),
        h('select', { id: 'age', onchange: (e) => { p.age_band = e.target.value; } },
          h('option', { value: '' }, t('age_none')),
          AGES.map((a) => h('option', { value: a, selected: p.age_band === a, dir: 'ltr' }, a)))),
      h('fieldset', { class: 'codebox' },
        h('legend', null, t('code')),
        h('p', { class: 'muted' }, t('code_help')),
        h('div', { class: 'tabs' }, radios('mode', t('code'), [['build', t('code_build')], ['card', t('code_card')]], p.mode, (e) => { p.mode = e.target.value; update(); }, { class: 'choices inline' })),
        build, card, preview),
      error,
      h('div', { class: 'nav' },
        ctx.profile || rejoining ? h('a', { href: '#', class: 'button secondary' }, t('back')) : null,
        h('button', { type: 'submit' }, t('save')))),
  );
  update();
}

// ---- sending: on load, online, visibility, a timer with backoff, the button, Background Sync

let timer;
async function tick(force) {
  clearTimeout(timer);
  const retryAt = (await getMeta('retry_at')) || 0;
  if (!force && Date.now() < retryAt) { timer = setTimeout(tick, retryAt - Date.now()); return {}; }
  // Surely offline: nothing to try but what the person asks for; the `online` event sends.
  if (!navigator.onLine && force !== 'asked') return {};
  const r = await flush();
  if (r.error) timer = setTimeout(tick, r.retryIn);
  else if (r.busy) timer = setTimeout(tick, 15000);
  return r;
}

let refreshing;
function refresh() {
  // Views that only show stored state are redrawn when it changes; forms are left alone.
  if (shown !== 'training' && shown !== 'home') return;
  clearTimeout(refreshing);
  refreshing = setTimeout(() => {
    if (shown !== 'training' && shown !== 'home') return; // the person has moved on
    const focused = document.activeElement?.id;
    route().then(() => focused && document.getElementById(focused)?.focus());
  }, 50);
}

// A module worker: it sends the outbox with the app's own js/send.js. Registering again
// (after a failed install, when the network is back) is harmless.
let registering = null;
function register() {
  return navigator.serviceWorker.register('/sw.js', { scope: '/', type: 'module' })
    .catch((e) => { registering = null; throw e; });
}

async function registerWorker() {
  const sw = navigator.serviceWorker;
  let updating = false;
  sw.addEventListener('controllerchange', () => { if (updating) location.reload(); });
  sw.addEventListener('message', (e) => { if (e.data?.type === 'flush') tick(true); });
  const reg = await (registering ??= register());
  const offer = (w) => banner('update', t('update'), {
    label: t('update_now'),
    run: () => { updating = true; w.postMessage({ type: 'skip-waiting' }); },
  });
  if (reg.waiting && sw.controller) offer(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const w = reg.installing;
    w?.addEventListener('statechange', () => { if (w.state === 'installed' && sw.controller) offer(w); });
  });
  const check = () => navigator.onLine && reg.update().catch(() => {});
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && check());
  setInterval(check, 30 * 60 * 1000);
}

async function iosHint() {
  const ios = /iphone|ipad|ipod/i.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  const installed = navigator.standalone || matchMedia('(display-mode: standalone)').matches;
  if (!ios || installed || (await getMeta('ios_hint_closed'))) return;
  banner('ios', t('ios_hint'), { label: t('dismiss'), run: async () => { await setMeta('ios_hint_closed', true); banner('ios'); } });
}

function netStatus() {
  document.documentElement.classList.toggle('offline', !navigator.onLine);
}

async function boot() {
  // Before any tap: the training is fetched while the network is there, and the worker
  // (which stores the shell) is registered as soon as the first view is drawn.
  if (code) {
    prepare().catch(() => {}); // the screens say what went wrong
    watchReady();
  }
  // Storage failing under the app is said, never hidden behind a screen that looks saved.
  addEventListener('unhandledrejection', (e) => {
    if (e.reason instanceof DOMException) banner('storage', t('storage_failed'), null, 'error');
  });
  const saved = await getMeta('lang');
  await deviceId(); // made once, before any record: the worker sends with it too
  setLang(saved || phoneLang());
  netStatus();
  await route();
  if ('serviceWorker' in navigator) registerWorker().catch(() => {}); // the readiness line says it
  addEventListener('hashchange', route);
  addEventListener('online', () => {
    netStatus();
    tick(true);
    if (ctx) renew();
    if (code && !isReady()) {
      if (!ctx) route();
      watchReady();
    }
  });
  addEventListener('offline', () => { netStatus(); refresh(); });
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') tick(true); });
  if (code) watchTraining();
  listen();
  events.addEventListener('change', refresh);
  iosHint();
  tick(true);
}

boot();

// Exposed for tests and the console; not an API.
self.tadrib = { flush: () => tick('asked'), fmt, put };
