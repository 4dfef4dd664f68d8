// Pure modules of the participant app, run with `node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCode, normaliseCard, parseNumber, latinDigits, uuid } from '../../../pwa/js/code.js';
import { backoffDelay } from '../../../pwa/js/outbox.js';
import { batchesOf } from '../../../pwa/js/send.js';
import { _strings } from '../../../pwa/js/i18n.js';
import { windowState } from '../../../pwa/js/bundle.js';

test('a built code is normalised: case, accents, look-alikes, day padded', () => {
  assert.equal(buildCode('Karima', '7', 'Rabat'), 'KA07R');
  assert.equal(buildCode(' ké ', '07', 'élan'), 'KE07E');
  assert.equal(buildCode('k0', 'o7', 'r'), 'KO07R');
  assert.equal(buildCode('Ka', '٠٧', 'R'), 'KA07R');
});

test('a built code is empty until every part is valid', () => {
  assert.equal(buildCode('K', '7', 'R'), '');
  assert.equal(buildCode('Ka', '32', 'R'), '');
  assert.equal(buildCode('Ka', '', 'R'), '');
  assert.equal(buildCode('Ka', '7', ''), '');
});

test('Arabic letters keep one spelling of alef and lose their vowel marks', () => {
  assert.equal(buildCode('أَمينة', '3', 'إفران'), 'ام03ا');
});

test('a card code ignores spaces, dashes, case and O/0, I/L/1 confusion', () => {
  assert.equal(normaliseCard(' tip-0l2 '), 'T1P012');
  assert.equal(normaliseCard('ab o1'), 'AB01');
});

test('numbers are read with Arabic digits and comma decimals', () => {
  assert.equal(parseNumber('٢٧'), 27);
  assert.equal(parseNumber('3,5'), 3.5);
  assert.equal(parseNumber(' -12 '), -12);
  assert.equal(parseNumber('12a'), null);
  assert.equal(parseNumber(''), null);
  assert.equal(latinDigits('۱۲'), '12');
});

test('ids are UUID v4', () => {
  assert.match(uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('backoff grows exponentially, is capped and jittered', () => {
  assert.equal(backoffDelay(1, () => 0), 2500);
  assert.equal(backoffDelay(1, () => 1), 5000);
  assert.equal(backoffDelay(3, () => 1), 20000);
  assert.equal(backoffDelay(30, () => 1), 600000);
  assert.ok(backoffDelay(2) >= 5000 && backoffDelay(2) <= 10000);
});

test('batches respect the count and the size limits', () => {
  const rec = (n) => ({ submission: { id: String(n), answers: { t: 'x'.repeat(100) } } });
  const records = Array.from({ length: 120 }, (_, i) => rec(i));
  assert.deepEqual(batchesOf(records).map((b) => b.length), [50, 50, 20]);
  assert.deepEqual(batchesOf(records, 50, 300).map((b) => b.length).slice(0, 2), [2, 2]);
  assert.deepEqual(batchesOf([rec(1)], 50, 1).map((b) => b.length), [1]);
});

test('every UI string exists in English, French and Arabic', () => {
  const keys = Object.keys(_strings.en).sort();
  for (const lang of ['fr', 'ar']) assert.deepEqual(Object.keys(_strings[lang]).sort(), keys, lang);
  for (const lang of ['en', 'fr', 'ar']) {
    for (const [k, v] of Object.entries(_strings[lang])) {
      const want = (_strings.en[k].match(/\{\w+\}/g) || []).sort();
      assert.deepEqual((v.match(/\{\w+\}/g) || []).sort(), want, `${lang}.${k} placeholders`);
    }
  }
});

test('phase windows: days on the phone\'s calendar, instants in UTC, a missing phase open', () => {
  const b = { training: { windows: {
    post: { opens_at: '2019-01-11' },
    evaluation: { opens_at: '2019-01-11T08:00:00Z', closes_at: '2019-01-12' },
  } } };
  const soon = windowState(b, 'post', new Date(2019, 0, 10, 23, 59));
  assert.deepEqual(soon, { state: 'soon', at: new Date(2019, 0, 11), day: true });
  assert.equal(windowState(b, 'post', new Date(2019, 0, 11)).state, 'open');
  assert.equal(windowState(b, 'evaluation', new Date(Date.UTC(2019, 0, 11, 7, 59))).state, 'soon');
  assert.equal(windowState(b, 'evaluation', new Date(Date.UTC(2019, 0, 11, 8))).state, 'open');
  assert.equal(windowState(b, 'evaluation', new Date(2019, 0, 12, 23, 59)).state, 'open');
  assert.equal(windowState(b, 'evaluation', new Date(2019, 0, 13)).state, 'closed');
  assert.equal(windowState(b, 'pre', new Date(2000, 0, 1)).state, 'open');
  assert.equal(windowState({ training: {} }, 'followup').state, 'open');
});
