// A form being filled in: one question per screen, a draft saved on every answer, a review.

import { tx, req } from './db.js';
import { h, render, banner } from './ui.js';
import { t, pick, getLang, fmt } from './i18n.js';
import { uuid, parseNumber, latinDigits } from './code.js';
import { finishDraft } from './outbox.js';
import { applyLogic, isRequired, meetsConstraint, choicesOf } from './logic.js';
import { orderFor, arrange } from './order.js';

const draftKey = (code, phase) => `${code}/${phase}`;

/**
 * The draft of this phase, made on first open. The submission id is made here
 * and kept, so every copy of this form (reloads, tabs) sends the same id. The
 * form is copied into the draft: a draft finishes on the version it started with, and
 * so is the order of its shuffled choices, drawn for `person` (the participant's code).
 * Null when the phase is already finished.
 */
export function openDraft(code, phase, bundle, person) {
  const key = draftKey(code, phase);
  return tx(['drafts', 'outbox', 'sent'], 'readwrite', async (s) => {
    const d = await req(s.drafts.get(key));
    if (d) return d;
    const finished = [...await req(s.outbox.index('code').getAll(code)), ...await req(s.sent.index('code').getAll(code))];
    if (finished.some((r) => r.phase === phase)) return null;
    const draft = {
      key, id: uuid(), code, phase, form: bundle.forms[phase], url: bundle.sync_url,
      answers: {}, pos: 0, lang: getLang(), started_at: new Date().toISOString(),
      order: orderFor(bundle.forms[phase], bundle.training.id, person || ''),
    };
    s.drafts.put(draft);
    return draft;
  });
}

/** Saves one answer (undefined clears it) and the position; false when the draft is gone. */
function saveAnswer(key, qid, value, pos) {
  return tx('drafts', 'readwrite', async (s) => {
    const d = await req(s.drafts.get(key));
    if (!d) return false;
    if (qid) {
      if (value === undefined) delete d.answers[qid];
      else d.answers[qid] = value;
    }
    d.pos = pos;
    d.lang = getLang();
    s.drafts.put(d);
    return true;
  });
}

const isEmpty = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length);
const questions = (form) => form.questions.filter((q) => q.type !== 'note');
/** Whether question `q` gets a screen: relevant, and not a calculation. */
const shown = (q, logic) => logic.asked.has(q.id) && q.type !== 'calculate';
const missing = (form, answers) => {
  const logic = applyLogic(form, answers);
  return form.questions.filter((q) => shown(q, logic) && isRequired(q, logic.values) && isEmpty(logic.values[q.id]));
};

/** What an answer looks like in words, for the review. */
function answerText(q, v) {
  if (isEmpty(v)) return t('not_answered');
  const choice = (id) => pick(q.choices?.find((c) => c.id === id)?.text, id);
  switch (q.type) {
    case 'single': return choice(v);
    case 'multiple': return v.map(choice).join(' · ');
    case 'truefalse': return t(v ? 't_true' : 't_false');
    case 'likert': return `${fmt(v)} ${pick(q.scale?.labels?.[v], '')}`.trim();
    case 'number': return fmt(v);
    case 'acknowledge': return t('ack');
    // Isolated left to right, so a date and its time keep their order in Arabic.
    case 'date': case 'time': case 'datetime': return `\u2066${String(v).replace('T', ' ')}\u2069`;
    default: return String(v);
  }
}

/** The input(s) of one question; `set(value)` is called on every change. */
function control(q, value, set, describedBy, choices) {
  const name = `q-${q.id}`;
  const radio = (v, label) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name, value: String(v), checked: value === v, onchange: () => set(v) }),
    h('span', null, label));
  switch (q.type) {
    case 'single':
      return choices.map((c) => radio(c.id, pick(c.text)));
    case 'truefalse':
      return [radio(true, t('t_true')), radio(false, t('t_false'))];
    case 'likert': {
      const out = [];
      for (let v = q.scale.min; v <= q.scale.max; v++) {
        out.push(radio(v, `${fmt(v)}${q.scale.labels?.[v] ? ` · ${pick(q.scale.labels[v])}` : ''}`));
      }
      return h('div', { class: 'likert' }, out);
    }
    case 'multiple': {
      const picked = new Set(value || []);
      return choices.map((c) => h('label', { class: 'choice' },
        h('input', {
          type: 'checkbox', name, value: c.id, checked: picked.has(c.id),
          onchange: (e) => {
            e.target.checked ? picked.add(c.id) : picked.delete(c.id);
            set(choices.map((x) => x.id).filter((id) => picked.has(id)));
          },
        }),
        h('span', null, pick(c.text))));
    }
    case 'number':
      return h('input', {
        id: name, type: 'text', inputmode: 'decimal', autocomplete: 'off', dir: 'ltr',
        value: value == null ? '' : String(value), 'aria-describedby': describedBy,
        oninput: (e) => set(e.target.value.trim() === '' ? undefined : (parseNumber(e.target.value) ?? { bad: latinDigits(e.target.value) }), true),
      });
    case 'date': case 'time': case 'datetime':
      // The browser's own picker; its value (YYYY-MM-DD, HH:MM, YYYY-MM-DDTHH:MM) is what the
      // server takes.
      return h('input', {
        id: name, type: q.type === 'datetime' ? 'datetime-local' : q.type, dir: 'ltr',
        value: value ?? '', 'aria-describedby': describedBy,
        oninput: (e) => set(e.target.value || undefined),
      });
    case 'acknowledge':
      return h('label', { class: 'choice' },
        h('input', { type: 'checkbox', name, value: 'OK', checked: value === 'OK', onchange: (e) => set(e.target.checked ? 'OK' : undefined) }),
        h('span', null, t('ack')));
    case 'text':
      return h('textarea', {
        id: name, rows: 5, value: value ?? '', 'aria-describedby': describedBy,
        oninput: (e) => set(e.target.value.trim() === '' ? undefined : e.target.value, true),
      });
    default:
      return null;
  }
}

/**
 * Shows screen `pos` of the draft (past the last question: the review).
 * `ctx` is {code, bundle, profile, go(hash), home()}.
 */
export async function showForm(ctx, phase, pos) {
  const draft = await openDraft(ctx.code, phase, ctx.bundle, ctx.profile?.code);
  if (!draft) { banner('form', t('other_tab')); return ctx.home(); }
  const { form } = draft;
  const steps = form.questions;
  if (!(pos >= 0)) pos = Math.min(draft.pos || 0, steps.length);
  if (pos >= steps.length) return showReview(ctx, draft);
  // A question the answers so far make irrelevant (or a calculation) has no screen: step over it,
  // back when coming back.
  const logic = applyLogic(form, draft.answers);
  if (!shown(steps[pos], logic)) {
    const back = pos < (draft.pos || 0);
    let to = pos;
    do to += back ? -1 : 1; while (to >= 0 && to < steps.length && !shown(steps[to], logic));
    if (to < 0) return ctx.home();
    return ctx.go(`#q/${phase}/${to}`);
  }
  await saveAnswer(draft.key, null, undefined, pos);

  const q = steps[pos];
  const answers = draft.answers;
  let pendingSave;
  let timer;
  const error = h('p', { class: 'error', id: 'err', role: 'alert' });
  const saved = h('span', { class: 'saved', 'aria-hidden': 'true' });
  let unsaved = false; // the answer on screen is not yet on disk
  // "Saved" is shown only once the write has committed; a failed write says so and stays.
  const store = async (value) => {
    if (value && typeof value === 'object' && 'bad' in value) { error.textContent = t('number_bad'); return false; }
    error.textContent = '';
    saved.textContent = '';
    if (value === undefined) delete answers[q.id]; else answers[q.id] = value;
    unsaved = true;
    let ok;
    try {
      ok = await saveAnswer(draft.key, q.id, value, pos);
    } catch {
      error.textContent = t('not_saved');
      return false;
    }
    if (!ok) { banner('form', t('other_tab')); ctx.home(); return false; }
    unsaved = false;
    saved.textContent = `✓ ${t('saved')}`;
    return true;
  };
  // Text is saved a moment after typing stops, and at once when the page is hidden.
  const set = (value, typing) => {
    clearTimeout(timer);
    if (!typing) return store(value);
    pendingSave = () => { pendingSave = null; return store(value); };
    timer = setTimeout(pendingSave, 250);
  };
  const flushTyping = () => { clearTimeout(timer); return pendingSave?.(); };
  addEventListener('pagehide', flushTyping, { once: true });

  const hintId = q.hint ? 'hint' : undefined;
  const describedBy = [hintId, 'err'].filter(Boolean).join(' ');
  const choices = q.choices && arrange(choicesOf(q, logic.values), q.choices, draft.order?.[q.id]);
  const input = control(q, answers[q.id], set, describedBy, choices);
  const optional = q.type !== 'note' && !isRequired(q, logic.values) ? h('span', { class: 'tag' }, t('optional')) : null;
  const question = q.type === 'note'
    ? h('div', { class: 'note' }, h('p', null, pick(q.text)))
    : ['number', 'text', 'date', 'time', 'datetime'].includes(q.type)
      ? h('div', { class: 'field' }, h('label', { for: `q-${q.id}`, class: 'qtext' }, pick(q.text), optional), input)
      : h('fieldset', { class: 'choices', 'aria-describedby': describedBy },
        h('legend', { class: 'qtext' }, pick(q.text), optional), input);

  const go = async (to) => {
    await flushTyping();
    removeEventListener('pagehide', flushTyping);
    ctx.go(`#q/${phase}/${to}`);
  };
  const next = async (e) => {
    e.preventDefault();
    await flushTyping();
    if (unsaved && !(await store(answers[q.id]))) return; // try the write again before moving on
    if (error.textContent) return;
    if (question.querySelector('input:invalid')) { // a date or time typed in part reads as blank
      error.textContent = t('date_bad');
      question.querySelector('input:invalid').focus();
      return;
    }
    const { values } = applyLogic(form, answers);
    const wrong = isEmpty(answers[q.id])
      ? isRequired(q, values) && (q.required_message ? pick(q.required_message) : t('required'))
      : !meetsConstraint(q, values, answers[q.id]) && (q.constraint_message ? pick(q.constraint_message) : t('constraint'));
    if (wrong) {
      error.textContent = wrong;
      (question.querySelector('input, textarea') || question).focus();
      return;
    }
    go(pos + 1);
  };

  render(
    h('h1', { class: 'step' }, pick(form.title), h('small', null, t('question_of', { n: pos + 1, total: steps.length }))),
    h('progress', { max: steps.length, value: pos + 1, 'aria-hidden': 'true' }),
    h('form', { class: 'question', onsubmit: next, novalidate: true, 'data-pos': pos },
      question,
      q.hint && h('p', { class: 'hint', id: 'hint' }, pick(q.hint)),
      error,
      h('div', { class: 'nav' },
        h('button', { type: 'button', class: 'secondary', onclick: () => (pos ? go(pos - 1) : ctx.home()) }, t('back')),
        saved,
        h('button', { type: 'submit' }, pos + 1 === steps.length ? t('review') : t('next')))),
  );
}

async function showReview(ctx, draft) {
  const { form, answers } = draft;
  const lacking = missing(form, answers);
  const logic = applyLogic(form, answers);
  const error = h('p', { class: 'error', role: 'alert' });
  const finish = async () => {
    const now = missing(form, (await openDraft(ctx.code, draft.phase, ctx.bundle, ctx.profile?.code))?.answers || answers);
    if (now.length) {
      error.textContent = t('missing_n', { n: now.length });
      document.querySelector('.review .missing a')?.focus();
      return;
    }
    let rec;
    try {
      rec = await finishDraft(draft.key, (d) => submission(ctx, d));
    } catch {
      error.textContent = t('storage_failed');
      return;
    }
    banner('form', rec ? t('queued') : t('other_tab'), null, 'ok');
    ctx.home();
    ctx.send();
  };
  render(
    h('h1', null, t('review')),
    h('p', null, pick(form.title)),
    h('p', { class: 'muted' }, t('review_help')),
    h('ol', { class: 'review', 'data-phase': draft.phase }, form.questions.map((q, i) => q.type === 'note' || !shown(q, logic) ? null
      : h('li', { class: lacking.includes(q) ? 'missing' : '' },
        h('p', { class: 'qtext', id: `rq-${i}` }, pick(q.text)),
        h('p', { class: 'answer' }, answerText(q, answers[q.id])),
        h('a', { href: `#q/${draft.phase}/${i}`, class: 'change', 'aria-describedby': `rq-${i}` }, t('change'))))),
    error,
    h('div', { class: 'nav' },
      h('a', { href: `#q/${draft.phase}/${form.questions.length - 1}`, class: 'button secondary' }, t('back')),
      h('button', { type: 'button', id: 'finish', onclick: finish }, t('finish'))),
  );
}

/** The wire submission of a finished draft (sync/wire.py `Submission`). */
function submission(ctx, d) {
  const p = ctx.profile;
  // Only what the form's logic keeps: answers to skipped questions are not sent.
  const { values, asked } = applyLogic(d.form, d.answers);
  const answers = {};
  for (const q of questions(d.form)) if (!isEmpty(values[q.id])) answers[q.id] = values[q.id];
  // The order of each shuffled question that had a screen: what the participant saw.
  const order = Object.entries(d.order || {}).filter(([id]) => asked.has(id));
  return {
    id: d.id, training: ctx.code, form: d.form.id, version: d.form.version, phase: d.phase,
    lang: d.lang || getLang(),
    participant: { code: p.code, institution: p.institution, sex: p.sex, ...(p.age_band ? { age_band: p.age_band } : {}) },
    answers, started_at: d.started_at, completed_at: new Date().toISOString(),
    ...(order.length ? { choice_order: Object.fromEntries(order) } : {}),
  };
}
