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
  await put('bundles', keepStamp(fresh));
  return fresh;
}

/** Asks the server whether the bundle changed; resolves with the new record or null. */
export async function revalidate(code) {
  const stored = await get('bundles', code);
  try {
    const fresh = await fetchBundle(code, stored?.etag);
    if (!fresh) return null;
    await put('bundles', keepStamp(fresh, stored));
    return fresh;
  } catch {
    return null; // offline or server trouble: the stored copy stays good
  }
}

export const held = () => all('bundles');

/**
 * The proof that this phone joined while joining was open: the newest the server gave, kept
 * when a later bundle has none (joining closed since), so that work done offline still counts.
 */
function keepStamp(fresh, stored) {
  fresh.joining_stamp = fresh.bundle.training?.joining_stamp || stored?.joining_stamp || null;
  return fresh;
}

/** A window edge as a time on this phone: a day starts (or, closing, ends) on its own calendar. */
function edge(value, closing) {
  if (!value) return null;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!day) return new Date(value);
  return new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + (closing ? 1 : 0));
}

/**
 * Whether a phase may be started now, by this phone's clock: `open`, `soon` (with `at`, when
 * it opens and whether that is a whole day) or `closed`.
 */
export function windowState(bundle, phase, now = new Date()) {
  const w = bundle.training?.windows?.[phase] || {};
  const opens = edge(w.opens_at, false);
  const closes = edge(w.closes_at, true);
  if (opens && now < opens) return { state: 'soon', at: opens, day: w.opens_at.length === 10 };
  if (closes && now >= closes) return { state: 'closed' };
  return { state: 'open' };
}
