// The order a participant sees a shuffled question's choices in. Pure functions.
//
// The order is drawn from the training, the participant's code and the question, never from
// Math.random: the same person sees the same order in the pre-test, the post-test and the
// follow-up, on any phone, so that nobody remembers a position from one test to the next.

import { normaliseCode } from './code.js';

/** A 32-bit seed from text (MurmurHash3's mixing of its characters). */
function seedOf(text) {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Mulberry32: numbers in [0, 1), the same sequence for the same seed. */
function numbers(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The choice ids of `choices` in the order this participant sees them (Fisher–Yates). */
export function shuffled(choices, training, code, qid) {
  const ids = choices.map((c) => c.id);
  const next = numbers(seedOf(`${training}\u0000${normaliseCode(code)}\u0000${qid}`));
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return ids;
}

/** For each question of `form` that shuffles its choices: question id -> choice ids in order. */
export function orderFor(form, training, code) {
  const order = {};
  for (const q of form.questions) {
    if (q.shuffle_choices && q.choices?.length) order[q.id] = shuffled(q.choices, training, code, q.id);
  }
  return order;
}

/**
 * `shown` (some of `all`, the question's choices, as a choice filter left them) in the order
 * `ids` gives; as they are without one. A name listed twice (filtered lists may repeat one)
 * takes its places in turn.
 */
export function arrange(shown, all, ids) {
  if (!ids) return shown;
  const places = new Map();
  ids.forEach((id, at) => places.set(id, [...(places.get(id) || []), at]));
  const rank = new Map();
  for (const c of all) rank.set(c, places.get(c.id)?.shift() ?? Infinity);
  return [...shown].sort((a, b) => rank.get(a) - rank.get(b));
}
