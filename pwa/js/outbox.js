// The outbox: finished forms wait here until the server says accepted or duplicate.

import { tx, req, all, getMeta, setMeta } from './db.js';
import { uuid } from './code.js';

export const BATCH = 50;
const MAX_BYTES = 512 * 1024; // half the server's default limit
const BASE_MS = 5000;
const CAP_MS = 10 * 60 * 1000;

/** Delay before retry number `failures` (1, 2, ...): exponential, capped, with jitter. */
export function backoffDelay(failures, random = Math.random) {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

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

/** This phone's id, made once. */
export async function deviceId() {
  let id = await getMeta('device');
  if (!id) { id = uuid(); await setMeta('device', id); }
  return id;
}

export const events = new EventTarget();
let channel;

/** Listens to the other tabs; the app calls it once. */
export function listen() {
  if (typeof BroadcastChannel !== 'function') return;
  channel = new BroadcastChannel('tadrib');
  channel.onmessage = (e) => events.dispatchEvent(new CustomEvent('change', { detail: e.data }));
}

/** Tells this tab and the others that stored data changed. */
export function changed(what) {
  events.dispatchEvent(new CustomEvent('change', { detail: what }));
  channel?.postMessage(what);
}

/**
 * Moves a draft to the outbox in one transaction. The record keeps the id made
 * when the form was started, so a second tab finishing the same form finds no
 * draft and adds nothing. Returns the record, or null when already finished.
 */
export async function finishDraft(key, buildSubmission) {
  const rec = await tx(['drafts', 'outbox'], 'readwrite', async (s) => {
    const draft = await req(s.drafts.get(key));
    if (!draft) return null;
    const submission = buildSubmission(draft);
    const record = {
      id: draft.id, code: draft.code, phase: draft.phase, url: draft.url,
      state: 'pending', detail: '', queued_at: new Date().toISOString(), submission,
    };
    s.outbox.put(record);
    s.drafts.delete(key);
    return record;
  });
  if (rec) {
    changed({ type: 'outbox' });
    navigator.serviceWorker?.ready.then((r) => r.sync?.register('tadrib-outbox')).catch(() => {});
  }
  return rec;
}

class Retry extends Error {}

let running = null;

/** Sends what waits in the outbox. One tab at a time; resolves with a short summary. */
export function flush() {
  running ??= (navigator.locks
    ? navigator.locks.request('tadrib-sync', { ifAvailable: true }, (lock) => (lock ? send() : { busy: true }))
    : send()
  ).finally(() => { running = null; });
  return running;
}

async function send() {
  const records = (await all('outbox')).sort((a, b) => a.queued_at.localeCompare(b.queued_at));
  const waiting = records.filter((r) => r.state === 'pending');
  if (!waiting.length) return { sent: 0 };
  const device = await deviceId();
  let held = records.length;
  let sent = 0;
  let max = BATCH;
  try {
    const byUrl = Map.groupBy ? Map.groupBy(waiting, (r) => r.url) : group(waiting);
    for (const [url, list] of byUrl) {
      let queue = list;
      while (queue.length) {
        const [batch] = batchesOf(queue, max);
        // `pending`: what the phone still holds besides this batch.
        const body = JSON.stringify({ device, pending: held - batch.length, submissions: batch.map((r) => r.submission) });
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
    const failures = ((await getMeta('failures')) || 0) + 1;
    await setMeta('failures', failures);
    await setMeta('retry_at', Date.now() + backoffDelay(failures));
    changed({ type: 'sync', error: String(e.message || e) });
    return { sent, error: String(e.message || e), retryIn: backoffDelay(failures) };
  }
  await setMeta('failures', 0);
  await setMeta('retry_at', 0);
  await setMeta('last_sync', new Date().toISOString());
  changed({ type: 'sync' });
  return { sent };
}

function group(list) {
  const m = new Map();
  for (const r of list) m.set(r.url, [...(m.get(r.url) || []), r]);
  return m;
}

async function post(url, body) {
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

/** The export file a trainer can upload: every record not yet accepted. */
export async function exportUnsent() {
  const records = await all('outbox');
  return {
    format: 'tadrib-unsent', version: 1, device: await deviceId(),
    exported_at: new Date().toISOString(), submissions: records.map((r) => r.submission),
  };
}
