// Tadrib's service worker: a versioned shell, cache-first; navigations network-first
// with the cached shell as the offline fallback. The server stamps VERSION with a
// hash of pwa/, so any change to the app makes a new worker and a new cache.
const VERSION = 'dev';
const PREFIX = 'tadrib-shell-';
const CACHE = PREFIX + VERSION;
const SHELL = [
  '/app/',
  '/app/app.css',
  '/app/js/app.js',
  '/app/js/bundle.js',
  '/app/js/code.js',
  '/app/js/db.js',
  '/app/js/form.js',
  '/app/js/i18n.js',
  '/app/js/outbox.js',
  '/app/js/ui.js',
  '/app/icons/icon.svg',
  '/app/icons/icon-192.png',
  '/app/icons/icon-512.png',
  '/manifest.webmanifest',
];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL.map((u) => new Request(u, { cache: 'reload' })))));
});

self.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (e) => {
  if (e.data?.type === 'skip-waiting') self.skipWaiting();
});

/**
 * Network first, then the cached shell: the app reads the path itself. The time limit
 * keeps a bad network from holding the page: the cached shell is this worker's version.
 */
async function navigate(request) {
  try {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 1000);
    const res = await fetch(request, { signal: ctl.signal });
    clearTimeout(timer);
    if (res.ok) return res;
  } catch { /* offline or too slow */ }
  return (await caches.match('/app/', { cacheName: CACHE })) || Response.error();
}

async function shell(request) {
  const hit = await caches.match(request, { cacheName: CACHE, ignoreSearch: true });
  return hit || fetch(request);
}

self.addEventListener('fetch', (e) => {
  const { request } = e;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== location.origin) return;
  if (request.mode === 'navigate' && (url.pathname.startsWith('/t/') || url.pathname === '/app/' || url.pathname === '/app')) {
    e.respondWith(navigate(request));
  } else if (url.pathname.startsWith('/app/') || url.pathname === '/manifest.webmanifest') {
    e.respondWith(shell(request));
  }
  // Everything else (the API, the console) goes to the network untouched.
});

// Background Sync: an open app does the sending itself (it shows the outcome); with no app
// open, the worker sends the outbox the same way js/outbox.js does, under the same lock.
self.addEventListener('sync', (e) => {
  if (e.tag !== 'tadrib-outbox') return;
  e.waitUntil(self.clients.matchAll({ type: 'window' }).then((list) => {
    if (!list.length) return self.navigator.locks
      ? self.navigator.locks.request('tadrib-sync', { ifAvailable: true }, (lock) => lock && sendOutbox())
      : sendOutbox();
    for (const c of list) c.postMessage({ type: 'flush' });
  }));
});

const idb = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

async function sendOutbox() {
  const db = await idb(indexedDB.open('tadrib'));
  try {
    const t = db.transaction(['outbox', 'meta']);
    const [records, device] = await Promise.all([idb(t.objectStore('outbox').getAll()), idb(t.objectStore('meta').get('device'))]);
    const batch = records.filter((r) => r.state === 'pending').slice(0, 50);
    if (!batch.length) return;
    const res = await fetch(batch[0].url || '/api/v1/sync', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ device: device || 'unknown-device', pending: records.length - batch.length, submissions: batch.map((r) => r.submission) }),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`); // the browser retries the sync later
    const verdicts = new Map((await res.json()).results.map((r) => [r.id, r]));
    const w = db.transaction(['outbox', 'sent'], 'readwrite');
    for (const rec of batch) {
      const r = verdicts.get(rec.id);
      if (r?.status === 'accepted' || r?.status === 'duplicate') {
        w.objectStore('outbox').delete(rec.id);
        w.objectStore('sent').put({ id: rec.id, code: rec.code, phase: rec.phase, form: rec.submission.form, version: rec.submission.version, status: r.status, score: r.score ?? null, sent_at: new Date().toISOString() });
      } else if (r?.status === 'conflict' || r?.status === 'rejected') {
        w.objectStore('outbox').put({ ...rec, state: r.status, detail: r.detail || '' });
      }
    }
    await new Promise((resolve, reject) => { w.oncomplete = resolve; w.onerror = w.onabort = () => reject(w.error); });
  } finally {
    db.close();
  }
}
