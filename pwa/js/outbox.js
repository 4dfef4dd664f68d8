// The outbox: finished forms wait here until the server says accepted or duplicate.

import { tx, req, all, getMeta, setMeta } from './db.js';
import { uuid } from './code.js';
import { sendOutbox, withStamps } from './send.js';

const BASE_MS = 5000;
const CAP_MS = 10 * 60 * 1000;

/** Delay before retry number `failures` (1, 2, ...): exponential, capped, with jitter. */
export function backoffDelay(failures, random = Math.random) {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
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
  let sent;
  try {
    sent = await sendOutbox();
  } catch (e) {
    const failures = ((await getMeta('failures')) || 0) + 1;
    await setMeta('failures', failures);
    await setMeta('retry_at', Date.now() + backoffDelay(failures));
    changed({ type: 'sync', error: String(e.message || e) });
    return { sent: e.sent || 0, error: String(e.message || e), retryIn: backoffDelay(failures) };
  }
  if (sent === null) return { sent: 0 };
  await setMeta('failures', 0);
  await setMeta('retry_at', 0);
  await setMeta('last_sync', new Date().toISOString());
  changed({ type: 'sync' });
  return { sent };
}

/** The export file a trainer can upload: every record not yet accepted. */
export async function exportUnsent() {
  const records = await all('outbox');
  const wire = await withStamps();
  return {
    format: 'tadrib-unsent', version: 1, device: await deviceId(),
    exported_at: new Date().toISOString(), submissions: records.map(wire),
  };
}
