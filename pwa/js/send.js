// Sending the outbox to the server: one batch per sync URL at a time, halved on 413, the
// verdicts applied in one transaction. The page (js/outbox.js) and the service worker
// (Background Sync with no page open) both send with this module.

import { tx, all, getMeta } from './db.js';

export const BATCH = 50;
const MAX_BYTES = 512 * 1024; // half the server's default limit

/** A failure worth trying again later (network, timeout, a 4xx/5xx answer to the batch). */
export class Retry extends Error {}

/** Splits records into batches of at most `max` records and about `maxBytes` of JSON. */
export function batchesOf(records, max = BATCH, maxBytes = MAX_BYTES) {
  const out = [];
  let cur = [];
  let size = 0;
  for (const r of records) {
    const n = JSON.stringify(r.submission).length + 1;
    if (cur.length && (cur.length >= max || size + n > maxBytes)) { out.push(cur); cur = []; size = 0; }
    cur.push(r);
    size += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Sends every pending record, oldest first, each to its own sync URL. Resolves with the
 * number of records that left the phone (null when none waited); a Retry carries that
 * number too (`sent`).
 */
export async function sendOutbox(post = postJson) {
  const records = (await all('outbox')).sort((a, b) => a.queued_at.localeCompare(b.queued_at));
  const waiting = records.filter((r) => r.state === 'pending');
  if (!waiting.length) return null;
  const device = (await getMeta('device')) || 'unknown-device';
  const wire = await withStamps();
  let held = records.length;
  let sent = 0;
  let max = BATCH;
  try {
    for (const [url, list] of byUrl(waiting)) {
      let queue = list;
      while (queue.length) {
        const [batch] = batchesOf(queue, max);
        // `pending`: what the phone still holds besides this batch.
        const body = JSON.stringify({ device, pending: held - batch.length, submissions: batch.map(wire) });
        const res = await post(url || '/api/v1/sync', body);
        if (res.status === 413 && max > 1) { max = Math.max(1, Math.floor(batch.length / 2)); continue; }
        if (!res.ok) throw new Retry(`HTTP ${res.status}`);
        const { results } = await res.json();
        const done = await apply(batch, results);
        held -= done;
        sent += done;
        queue = queue.slice(batch.length);
      }
    }
  } catch (e) {
    const err = e instanceof Retry ? e : new Retry(String(e?.message || e));
    err.sent = sent;
    throw err;
  }
  return sent;
}

/**
 * Gives a record's submission the joining stamp its training's bundle holds: proof that the
 * phone joined while joining was open, whenever the record is sent or exported.
 */
export async function withStamps() {
  const stamps = new Map((await all('bundles')).map((b) => [b.code, b.joining_stamp || b.bundle?.training?.joining_stamp]));
  return (r) => {
    const stamp = r.submission.joining_stamp || stamps.get(r.code);
    return stamp ? { ...r.submission, joining_stamp: stamp } : r.submission;
  };
}

function byUrl(list) {
  const m = new Map();
  for (const r of list) m.set(r.url, [...(m.get(r.url) || []), r]);
  return m;
}

async function postJson(url, body) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 30000);
  try {
    return await fetch(url, {
      method: 'POST', body, signal: ctl.signal, cache: 'no-store',
      headers: { 'Content-Type': 'application/json' },
    });
  } catch (e) {
    throw new Retry(e.name === 'AbortError' ? 'timeout' : 'network');
  } finally {
    clearTimeout(timer);
  }
}

/** Applies the server's verdicts; returns how many records left the phone. */
function apply(batch, results) {
  const byId = new Map((results || []).map((r) => [r.id, r]));
  return tx(['outbox', 'sent'], 'readwrite', (s) => {
    let done = 0;
    for (const rec of batch) {
      const r = byId.get(rec.id);
      if (!r) continue;
      if (r.status === 'accepted' || r.status === 'duplicate') {
        s.outbox.delete(rec.id);
        s.sent.put({
          id: rec.id, code: rec.code, phase: rec.phase, form: rec.submission.form,
          version: rec.submission.version, status: r.status, score: r.score ?? null,
          sent_at: new Date().toISOString(),
        });
        done++;
      } else if (r.status === 'conflict' || r.status === 'rejected') {
        s.outbox.put({ ...rec, state: r.status, detail: r.detail || '' });
      }
    }
    return done;
  });
}
