// Training bundles: fetched once online, kept in IndexedDB, revalidated with their ETag.

import { get, put, all } from './db.js';

export class BundleError extends Error {
  constructor(kind) { super(kind); this.kind = kind; } // 'unknown' | 'offline' | 'failed'
}

const url = (code) => `/api/v1/bundles/${encodeURIComponent(code)}`;

async function fetchBundle(code, etag) {
  let res;
  try {
    res = await fetch(url(code), { headers: etag ? { 'If-None-Match': etag } : {}, cache: 'no-store' });
  } catch {
    throw new BundleError('offline');
  }
  if (res.status === 304) return null;
  if (res.status === 404) throw new BundleError('unknown');
  if (!res.ok) throw new BundleError('failed');
  return { code, bundle: await res.json(), etag: res.headers.get('ETag'), fetched_at: new Date().toISOString() };
}

/** The stored bundle, or the network's when this phone has none yet. */
export async function load(code) {
  const stored = await get('bundles', code);
  if (stored) return { ...stored, stored: true };
  const fresh = await fetchBundle(code);
  await put('bundles', fresh);
  return fresh;
}

/** Asks the server whether the bundle changed; resolves with the new record or null. */
export async function revalidate(code) {
  const stored = await get('bundles', code);
  try {
    const fresh = await fetchBundle(code, stored?.etag);
    if (!fresh) return null;
    await put('bundles', fresh);
    return fresh;
  } catch {
    return null; // offline or server trouble: the stored copy stays good
  }
}

export const held = () => all('bundles');
