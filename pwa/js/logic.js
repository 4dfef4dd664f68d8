// A form's logic on the phone (relevant, required_if, constraint, calculation, choice_filter),
// as the server applies it (forms/logic.py): XPath run by the vendored openrosa-xpath-evaluator
// on an instance with one element per question, `${name}` read as `/data/name`.

import orxe from '../vendor/openrosa-xpath-evaluator.js';

const engine = orxe();
const REF = /\$\{\s*([^}\s]+)\s*\}/g;
const isEmpty = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length);
const text = (v) => (isEmpty(v) ? '' : Array.isArray(v) ? v.join(' ') : typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v));

/**
 * The value of `expr` over `answers` as {number}, {boolean} or {string}; `current` is `.`,
 * `choice` ({name, ...columns}) the context of a choice filter. Throws on a broken expression.
 */
export function evaluate(expr, answers, { current, choice } = {}) {
  const doc = document.implementation.createDocument(null, 'data', null);
  const root = doc.documentElement;
  const names = new Set(Object.keys(answers));
  for (const m of expr.matchAll(REF)) names.add(m[1]);
  for (const name of names) {
    const el = doc.createElement(name);
    el.textContent = text(answers[name]);
    root.appendChild(el);
  }
  let context = doc.createElement('current');
  context.textContent = text(current);
  root.appendChild(context);
  if (choice) {
    context = doc.createElement('item');
    for (const [k, v] of Object.entries(choice)) {
      const el = doc.createElement(k);
      el.textContent = v;
      context.appendChild(el);
    }
    root.appendChild(context);
  }
  const path = expr.replace(REF, '/data/$1');
  const r = engine.evaluate(path, context, null, XPathResult.ANY_TYPE, null);
  if (r.resultType === XPathResult.NUMBER_TYPE) return { number: r.numberValue };
  if (r.resultType === XPathResult.BOOLEAN_TYPE) return { boolean: r.booleanValue };
  if (r.resultType === XPathResult.STRING_TYPE) return { string: r.stringValue };
  if (typeof r.iterateNext !== 'function') { // a date: read as the string it writes
    return { string: engine.evaluate(path, context, null, XPathResult.STRING_TYPE, null).stringValue };
  }
  const node = r.iterateNext();
  return { string: node ? node.textContent : '' };
}

/** XPath's boolean() of a value. */
function truth(v) {
  if ('boolean' in v) return v.boolean;
  if ('number' in v) return v.number !== 0 && !Number.isNaN(v.number);
  return v.string !== '';
}

/** Whether `expr` holds; an expression that cannot run counts as false (and is logged). */
export function holds(expr, answers, opts) {
  try {
    return truth(evaluate(expr, answers, opts));
  } catch (e) {
    console.warn('form logic', expr, e);
    return false;
  }
}

/**
 * The form's logic over a draft's answers, in question order as on the server: `asked` the
 * questions that are relevant, `values` the answers that count (those of asked questions,
 * calculations filled in). A later question sees a skipped one as unanswered.
 */
export function applyLogic(form, answers) {
  const asked = new Set();
  const values = {};
  for (const q of form.questions) {
    if (q.relevant && !holds(q.relevant, values)) continue;
    asked.add(q.id);
    let v = answers[q.id];
    if (q.type === 'calculate' && isEmpty(v) && q.calculation) {
      try {
        const r = evaluate(q.calculation, values);
        v = 'number' in r ? (Number.isNaN(r.number) ? undefined : String(r.number)) : 'boolean' in r ? String(r.boolean) : r.string;
      } catch (e) {
        console.warn('form logic', q.calculation, e);
      }
    }
    if (!isEmpty(v)) values[q.id] = v;
  }
  return { asked, values };
}

/** Whether an asked question must be answered. */
export function isRequired(q, values) {
  if (q.type === 'note' || q.type === 'calculate') return false;
  if (q.required_if) return holds(q.required_if, values);
  return q.required !== false;
}

/** Whether the answer `value` meets the question's constraint (true without one or blank). */
export function meetsConstraint(q, values, value) {
  if (!q.constraint || isEmpty(value)) return true;
  return holds(q.constraint, { ...values, [q.id]: value }, { current: value });
}

/** The choices the question's filter keeps. */
export function choicesOf(q, values) {
  if (!q.choice_filter) return q.choices;
  return q.choices.filter((c) => holds(q.choice_filter, values, { choice: { name: c.id, ...(c.data || {}) } }));
}
