"""Checks a decoded question set against the rules of docs/question-sets.md; pure, lists all."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

from forms import expressions
from forms.errors import FormError
from forms.model import SCORED_TYPES, Question, QuestionSet, Text

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
#: Question ids as XLSForm names them: letters of any script, digits, '_', '-' and '.'.
_NAME = re.compile(r"[^\W\d][\w.-]*|\d[\w.-]*")
#: Choice ids as XLSForm names them: anything without spaces (a multiple answer lists them).
_CHOICE = re.compile(r"\S{1,200}")
MAX_SCALE_POINTS = 11

#: Records one problem: (path in the document, message).
_Err = Callable[[str, str], None]

#: ISO 639-1 codes, and the ISO 639-2/3 codes of languages spoken where the programme works.
_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny
    oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss
    st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo
    za zh zu
    ara ary arq aeb apd acm apc ajp ber kab rif shi tzm zgh taq fil prs pus ckb kmr tir
    fra eng spa por deu rus tur fas urd hau ful wol bam swa amh som orm lin kin
"""
LANGUAGE_CODES: frozenset[str] = frozenset(_CODES.split())


def validate(qs: QuestionSet) -> list[FormError]:
    """Every problem in `qs`, each with its path in the document (e.g. "questions[3].id")."""
    errors: list[FormError] = []

    def err(where: str, message: str) -> None:
        errors.append(FormError(where, message))

    _check_slug(err, "id", qs.id, "the set's id")
    _check_slug(err, "version", qs.version, "the version")
    if qs.kind not in ("test", "evaluation"):
        err("kind", f"kind is {qs.kind!r}; use `test` or `evaluation`")
    languages = _check_languages(err, qs.languages)
    _check_text(err, "title", qs.title, languages)
    if qs.description is not None:
        _check_text(err, "description", qs.description, languages)

    if qs.pass_mark is not None:
        if qs.kind != "test":
            err("pass_mark", "evaluations are not scored; remove pass_mark")
        elif not (math.isfinite(qs.pass_mark) and 0 <= qs.pass_mark <= 100):
            err("pass_mark", f"pass_mark is {qs.pass_mark}; give a percent from 0 to 100")

    if not qs.questions:
        err("questions", "the set has no questions; add at least one")
    for where, qid in _duplicates(qs.questions, "questions"):
        err(where, f"question id {qid!r} is used more than once; give each question its own id")
    for i, question in enumerate(qs.questions):
        _check_question(err, f"questions[{i}]", question, qs.kind == "test", languages)
    names = {q.id for q in qs.questions}
    for i, question in enumerate(qs.questions):
        _check_logic(err, f"questions[{i}]", question, names, languages)

    if qs.kind == "test" and qs.questions and not any(q.type in SCORED_TYPES for q in qs.questions):
        err(
            "questions",
            "a test needs at least one scored question (single, multiple, truefalse or number); "
            "add one, or make this set `kind: evaluation`",
        )
    return errors


def _check_slug(err: _Err, where: str, value: str, what: str) -> None:
    if not value.strip():
        err(where, f"{what} is empty; give it a value")
    elif not _SLUG.fullmatch(value):
        err(
            where,
            f"{what} {value!r} may only use letters, digits, '-', '_' and '.', "
            "starting with a letter or digit",
        )


def _check_name(
    err: _Err, where: str, value: str, rule: re.Pattern[str], what: str, how: str
) -> None:
    if not value.strip():
        err(where, f"{what} is empty; give it a value")
    elif not rule.fullmatch(value):
        err(where, f"{what} {value!r} may only use {how}")


def _check_languages(err: _Err, languages: list[str]) -> list[str]:
    if not languages:
        err("languages", "languages is empty; list the set's languages, e.g. [en, fr, ar]")
    for i, code in enumerate(languages):
        if code not in LANGUAGE_CODES:
            err(
                f"languages[{i}]",
                f"{code!r} is not a known language code; use a lower-case ISO 639 code "
                "such as en, fr or ar",
            )
    for code, n in Counter(languages).items():
        if n > 1:
            err("languages", f"{code!r} is listed {n} times; list each language once")
    return list(dict.fromkeys(languages))


def _check_text(err: _Err, where: str, text: Text, languages: list[str]) -> None:
    missing = [lang for lang in languages if lang not in text]
    if missing:
        err(
            where,
            f"missing the {', '.join(missing)} text; every text needs "
            f"{', '.join(languages)} (the set's languages)",
        )
    for lang, value in text.items():
        if lang not in languages:
            err(
                f"{where}.{lang}",
                f"{lang!r} is not one of the set's languages ({', '.join(languages)}); "
                "add it to languages or remove this text",
            )
        elif not value.strip():
            err(f"{where}.{lang}", f"the {lang} text is empty; write it")


def _duplicates(items: list[Question], where: str) -> list[tuple[str, str]]:
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        if item.id in seen:
            found.append((f"{where}[{i}].id", item.id))
        seen.add(item.id)
    return found


def _check_question(err: _Err, where: str, q: Question, test: bool, languages: list[str]) -> None:
    name = f"question {q.id!r}"
    _check_name(err, f"{where}.id", q.id, _NAME, "the question id", "letters, digits, '-', '_'")
    if q.text or q.type != "calculate":  # a calculation may be hidden
        _check_text(err, f"{where}.text", q.text, languages)
    if q.hint is not None:
        _check_text(err, f"{where}.hint", q.hint, languages)
    if q.source is not None:
        _check_text(err, f"{where}.source", q.source, languages)
    _check_choices(err, where, q, test, languages)
    _check_scale(err, where, q, languages)

    scored = test and q.type in SCORED_TYPES
    unused = (
        "evaluations are not scored; remove {key}"
        if not test
        else f"{q.type} questions are not scored; remove {{key}}"
    )
    if not scored:
        if q.points != 1.0:
            err(f"{where}.points", unused.format(key="points"))
    elif not (math.isfinite(q.points) and q.points > 0):
        err(f"{where}.points", f"{name}: points is {q.points}; give a number above 0")

    if q.partial and not (test and q.type == "multiple"):
        err(
            f"{where}.partial",
            unused.format(key="partial")
            if not test
            else "only multiple questions give partial credit; remove partial",
        )

    if q.type == "truefalse" and test:
        if q.answer is None:
            err(where, f"{name} has no answer; add `answer: true` or `answer: false`")
        elif not isinstance(q.answer, bool):
            err(f"{where}.answer", f"{name}: answer must be true or false, not {q.answer}")
    elif q.type == "number" and test:
        if q.answer is None:
            err(where, f"{name} has no answer; add the right number, e.g. `answer: 18`")
        elif isinstance(q.answer, bool) or not math.isfinite(q.answer):
            err(f"{where}.answer", f"{name}: answer must be a number, not {q.answer}")
    elif q.answer is not None:
        err(
            f"{where}.answer",
            unused.format(key="answer")
            if not test
            else "only truefalse and number questions have an answer; remove it"
            + (" and mark the right choice with `correct: true`" if q.choices else ""),
        )

    if q.tolerance != 0.0:
        if not test:
            err(f"{where}.tolerance", unused.format(key="tolerance"))
        elif q.type != "number":
            err(f"{where}.tolerance", "only number questions have a tolerance; remove it")
        elif not (math.isfinite(q.tolerance) and q.tolerance >= 0):
            err(f"{where}.tolerance", f"{name}: tolerance is {q.tolerance}; give 0 or more")


def _check_choices(err: _Err, where: str, q: Question, test: bool, languages: list[str]) -> None:
    name = f"question {q.id!r}"
    if q.type not in ("single", "multiple"):
        if q.shuffle_choices or q.randomize:
            key = "shuffle_choices" if q.shuffle_choices else "randomize"
            err(
                f"{where}.{key}",
                f"{q.type} questions have no choices to shuffle; remove {key} "
                "(only single and multiple questions shuffle)",
            )
        if q.choices:
            err(
                f"{where}.choices",
                f"{q.type} questions have no choices; remove choices "
                "(only single and multiple questions have them)",
            )
        return
    fewest = 2 if test else 1
    if len(q.choices) < fewest:
        err(where, f"{name} needs at least {fewest} choices; it has {len(q.choices)}")
    seen: set[str] = set()
    for j, choice in enumerate(q.choices):
        cwhere = f"{where}.choices[{j}]"
        _check_name(err, f"{cwhere}.id", choice.id, _CHOICE, "the choice id", "no spaces")
        # A filtered list may repeat a name under different filters (XLSForm's cascading selects).
        if choice.id in seen and q.choice_filter is None:
            err(f"{cwhere}.id", f"{name}: choice id {choice.id!r} is used twice; make ids unique")
        seen.add(choice.id)
        _check_text(err, f"{cwhere}.text", choice.text, languages)
        if choice.correct and not test:
            err(f"{cwhere}.correct", "evaluations are not scored; remove correct")
    if not test:
        return
    correct = [c.id for c in q.choices if c.correct]
    if q.type == "single" and len(correct) != 1:
        if not correct:
            err(where, f"{name} has no correct choice; mark one with `correct: true`")
        else:
            err(
                where,
                f"{name} has {len(correct)} correct choices ({', '.join(correct)}); a single "
                "question needs exactly one, or use `type: multiple`",
            )
    elif q.type == "multiple" and not correct:
        err(where, f"{name} has no correct choice; mark at least one with `correct: true`")


def _check_scale(err: _Err, where: str, q: Question, languages: list[str]) -> None:
    if q.type != "likert":
        if q.scale is not None:
            err(f"{where}.scale", f"{q.type} questions have no scale; remove it")
        return
    scale = q.scale
    if scale is None:
        err(where, f"likert question {q.id!r} needs a scale, e.g. `scale: {{min: 1, max: 5}}`")
        return
    if scale.min >= scale.max:
        err(f"{where}.scale", f"scale min ({scale.min}) must be below max ({scale.max})")
    elif scale.max - scale.min + 1 > MAX_SCALE_POINTS:
        err(
            f"{where}.scale",
            f"the scale has {scale.max - scale.min + 1} points; use at most {MAX_SCALE_POINTS}",
        )
    for value, label in scale.labels.items():
        lwhere = f"{where}.scale.labels[{value}]"
        if not scale.min <= value <= scale.max:
            err(lwhere, f"label {value} is outside the scale {scale.min}–{scale.max}; remove it")
        _check_text(err, lwhere, label, languages)


#: The fields of a question that hold expressions.
LOGIC = ("relevant", "constraint", "calculation", "choice_filter", "required_if")


def _check_logic(err: _Err, where: str, q: Question, names: set[str], languages: list[str]) -> None:
    """Expressions must parse and refer to questions of the set."""
    for key in LOGIC:
        text = getattr(q, key)
        if text is None:
            continue
        try:
            node = expressions.parse(text)
        except expressions.ExpressionError as exc:
            err(f"{where}.{key}", f"{key} {text!r} cannot be read: {exc}")
            continue
        if unknown := sorted(expressions.references(node) - names):
            listed = ", ".join("${" + name + "}" for name in unknown)
            err(f"{where}.{key}", f"{key} refers to {listed}, which is not a question of the set")
        if key != "choice_filter" and (bare := sorted(expressions.fields(node))):
            err(f"{where}.{key}", f"{key}: {bare[0]!r} is not a question; write ${{{bare[0]}}}")
    for key in ("constraint_message", "required_message"):
        if (text := getattr(q, key)) is not None:
            _check_text(err, f"{where}.{key}", text, languages)
    if q.type == "calculate" and q.calculation is None and q.default is None:
        err(where, f"calculate question {q.id!r} needs a calculation")
