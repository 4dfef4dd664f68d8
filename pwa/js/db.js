// The phone's IndexedDB: bundles, drafts, outbox, sent records and settings.
// Writes resolve when their transaction commits, so "saved" means on disk. The browser may
// close the connection under the app (iOS does under memory pressure): a transaction that
// finds it closed runs again once on a new connection, and fails if that fails too.

const NAME = 'tadrib';
const VERSION = 1;
let opening;

export function open() {
  opening ??= new Promise((resolve, reject) => {
    const r = indexedDB.open(NAME, VERSION);
    r.onupgradeneeded = () => {
      const db = r.result;
      db.createObjectStore('meta');                        // key -> value
      db.createObjectStore('bundles', { keyPath: 'code' }); // {code, bundle, etag, fetched_at}
      db.createObjectStore('drafts', { keyPath: 'key' });   // key = code + '/' + phase
      const out = db.createObjectStore('outbox', { keyPath: 'id' });
      out.createIndex('code', 'code');
      const sent = db.createObjectStore('sent', { keyPath: 'id' });
      sent.createIndex('code', 'code');
    };
    r.onsuccess = () => {
      const db = r.result;
      // Another tab upgrading the schema: step aside rather than block it.
      db.onversionchange = () => { db.close(); forget(db); };
      db.onclose = () => forget(db); // closed by the browser, not by the app
      resolve(db);
    };
    r.onerror = () => reject(r.error);
    r.onblocked = () => reject(new Error('database blocked'));
  }).catch((e) => { opening = undefined; throw e; }); // the next call tries again
  return opening;
}

const lost = new WeakSet(); // connections closed under the app

function forget(db) {
  lost.add(db);
  opening = undefined;
}

/** Wraps one request in a promise. */
export const req = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

/**
 * Runs `fn(stores)` in one transaction and resolves with its result once the
 * transaction has committed. Reads and writes inside `fn` are atomic, which is
 * what keeps two tabs from making two records of one form.
 */
export async function tx(names, mode, fn) {
  const db = await open();
  try {
    return await attempt(db, names, mode, fn);
  } catch (e) {
    // A closed connection commits nothing: the transaction can safely run again.
    if (e?.name !== 'InvalidStateError' && !lost.has(db)) throw e;
    forget(db);
    return attempt(await open(), names, mode, fn);
  }
}

async function attempt(db, names, mode, fn) {
  const list = [].concat(names);
  const t = db.transaction(list, mode, { durability: 'strict' });
  const stores = Object.fromEntries(list.map((n) => [n, t.objectStore(n)]));
  const done = new Promise((resolve, reject) => {
    t.oncomplete = resolve;
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('transaction aborted'));
  });
  let result;
  try {
    result = await fn(stores, t);
  } catch (e) {
    try { t.abort(); } catch { /* already finished */ }
    await done.catch(() => {});
    throw e;
  }
  await done;
  return result;
}

export const get = (store, key) => tx(store, 'readonly', (s) => req(s[store].get(key)));
export const all = (store) => tx(store, 'readonly', (s) => req(s[store].getAll()));
export const put = (store, value, key) =>
  tx(store, 'readwrite', (s) => { s[store].put(value, key); });
export const del = (store, key) => tx(store, 'readwrite', (s) => { s[store].delete(key); });

export const getMeta = (key) => get('meta', key);
export const setMeta = (key, value) => put('meta', value, key);
