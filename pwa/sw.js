// Tadrib's service worker (a module worker): a versioned shell, cache-first; navigations
// network-first with the cached shell as the offline fallback. The server stamps VERSION
// with a hash of pwa/, so any change to the app makes a new worker and a new cache.
// db.js is named here too so that both are fetched at once, not one after the other.
import '/app/js/db.js';
import { sendOutbox } from '/app/js/send.js';

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
  '/app/js/logic.js',
  '/app/js/order.js',
  '/app/js/outbox.js',
  '/app/js/ready.js',
  '/app/js/send.js',
  '/app/js/ui.js',
  '/app/vendor/openrosa-xpath-evaluator.js',
  '/app/icons/icon.svg',
  '/app/icons/icon-192.png',
  '/app/icons/icon-512.png',
  '/manifest.webmanifest',
];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL.map((u) => new Request(u, { cache: 'no-cache' })))));
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
// open, the worker sends the outbox with the app's own module, under the same lock. A failure
// rejects, so the browser tries the sync again later.
self.addEventListener('sync', (e) => {
  if (e.tag !== 'tadrib-outbox') return;
  e.waitUntil(self.clients.matchAll({ type: 'window' }).then((list) => {
    if (!list.length) return self.navigator.locks
      ? self.navigator.locks.request('tadrib-sync', { ifAvailable: true }, (lock) => lock && sendOutbox())
      : sendOutbox();
    for (const c of list) c.postMessage({ type: 'flush' });
  }));
});
