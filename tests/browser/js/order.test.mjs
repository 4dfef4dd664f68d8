// The seeded order of shuffled choices (pwa/js/order.js), run with `node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shuffled, orderFor, arrange } from '../../../pwa/js/order.js';
import { normaliseCode } from '../../../pwa/js/code.js';

const choices = ['a', 'b', 'c', 'd'].map((id) => ({ id }));
const form = (id) => ({
  id,
  questions: [
    { id: 'q1', type: 'single', shuffle_choices: true, choices },
    { id: 'q2', type: 'single', choices },
    { id: 'q3', type: 'multiple', shuffle_choices: true, choices: [...choices, { id: 'e' }] },
  ],
});

test('a participant gets the same order in the pre-test, the post-test and the follow-up', () => {
  const pre = orderFor(form('pre-set'), 'rabat-tot', 'KA07R');
  const post = orderFor(form('post-set'), 'rabat-tot', 'KA07R');
  assert.deepEqual(Object.keys(pre), ['q1', 'q3']); // q2 keeps its order
  assert.deepEqual(post, pre);
  assert.deepEqual(orderFor(form('followup'), 'rabat-tot', 'ka-07 r'), pre); // retyped, normalised
  assert.deepEqual(orderFor(form('x'), 'rabat-tot', 'KA07R'), pre); // computed again, unchanged
});

test('each order is a permutation of the choices', () => {
  for (let n = 0; n < 200; n++) {
    assert.deepEqual([...shuffled(choices, 't', `P${n}X`, 'q1')].sort(), ['a', 'b', 'c', 'd']);
  }
});

test('participants, questions and trainings get different orders, near evenly', () => {
  const seen = new Map();
  for (let n = 0; n < 2400; n++) {
    const key = shuffled(choices, 'rabat-tot', `P${n}X`, 'q1').join('');
    seen.set(key, (seen.get(key) || 0) + 1);
  }
  assert.equal(seen.size, 24); // every order of four choices occurs
  for (const count of seen.values()) assert.ok(count > 50 && count < 150, `${count} of 2400`);
  const orders = (f) => Array.from({ length: 20 }, (_, n) => f(n).join(''));
  assert.notDeepEqual(orders((n) => shuffled(choices, 't', `P${n}X`, 'q1')),
    orders((n) => shuffled(choices, 't', `P${n}X`, 'q2')));
  assert.notDeepEqual(orders((n) => shuffled(choices, 't', `P${n}X`, 'q1')),
    orders((n) => shuffled(choices, 'u', `P${n}X`, 'q1')));
});

test('codes are normalised as the server does', () => {
  assert.equal(normaliseCode(' ka-07.r '), 'KA07R');
  assert.equal(normaliseCode('Ko1l'), 'K011');
  assert.equal(normaliseCode('éq٠٧'), 'E007');
  assert.equal(normaliseCode('КАТ'), 'KAT'); // Cyrillic capitals
});

test('the choices a filter leaves are shown in the drawn order', () => {
  const [a, b, c, d] = choices;
  assert.deepEqual(arrange([a, b, c, d], choices, ['c', 'a', 'd', 'b']), [c, a, d, b]);
  assert.deepEqual(arrange([a, d], choices, ['d', 'c', 'b', 'a']), [d, a]);
  assert.deepEqual(arrange([a, b], choices, undefined), [a, b]);
  const twice = [{ id: 'x' }, { id: 'x' }, { id: 'y' }];
  assert.deepEqual(arrange(twice, twice, ['y', 'x', 'x']), [twice[2], twice[0], twice[1]]);
});
