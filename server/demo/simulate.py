"""Deterministic simulation of a training's participants, as the wire submissions their phones send.

Answers come from a simple item-response model: each person has a latent ability, each institution
a shift, each question a difficulty and a learnability, so reports show real but imperfect learning.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from forms.model import SCORED_TYPES, Question, QuestionSet
from sync.wire import AGE_BANDS, AgeBand, AnswerValue, ParticipantInfo, Phase, Sex, Submission

_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # no I or O: look-alikes of 1 and 0
_AGE_BANDS = AGE_BANDS
_LANG_WEIGHTS = {"fr": 0.55, "ar": 0.3, "en": 0.15}

#: Free-text comments per language and kind of comment box: the most useful part, the least
#: useful part, topics missing and suggestions. A form's first box gets the first pool, its last
#: box the suggestions, the boxes between the pools between. Nothing names a method that only
#: some trainings use (the mock trial), so every training's comments fit it.
_COMMENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "fr": (
        (
            "Les échanges entre magistrats, policiers et travailleurs sociaux.",
            "Les études de cas sur la distinction entre traite et trafic illicite.",
            "La présentation de la loi 27-14 et de l'identification des victimes.",
        ),
        (
            "Les présentations de statistiques, trop longues.",
            "La partie théorique du premier jour, déjà connue.",
        ),
        (
            "L'orientation des victimes vers les services d'assistance.",
            "La coopération internationale et l'entraide judiciaire.",
        ),
        (
            "Prévoir une journée de plus pour les exercices pratiques.",
            "Remettre les supports à l'avance, en arabe et en français.",
            "Plus de temps pour préparer nos propres sessions.",
        ),
    ),
    "ar": (
        (
            "تبادل التجارب بين القضاة والشرطة والمساعدين الاجتماعيين.",
            "دراسات الحالة حول التمييز بين الاتجار بالبشر وتهريب المهاجرين.",
        ),
        ("العروض النظرية في اليوم الأول.",),
        ("إحالة الضحايا على مؤسسات المساعدة.",),
        (
            "تمديد مدة الدورة لتخصيص وقت أكبر للتمارين التطبيقية.",
            "توفير جميع الوثائق باللغة العربية.",
        ),
    ),
    "en": (
        (
            "The group work on real cases.",
            "Understanding the non-punishment principle.",
        ),
        ("The long statistics presentations.",),
        ("International cooperation in practice.",),
        ("More time on victim identification and referral.",),
    ),
}
#: How often an optional answer that is not a comment is left blank ("not applicable").
_SKIP_OPTIONAL = 0.2


@dataclass
class _Person:
    code: str
    institution: str
    sex: Sex
    age_band: AgeBand | None
    lang: str
    ability: float
    gain: float
    pre: bool = True
    post: bool = True
    post_code: str = ""
    post_institution: str = ""
    #: The share of the gain still there at the follow-up.
    kept: float = 1.0


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sex(rng: random.Random, institution: str) -> Sex:
    key = institution.lower()
    uniformed = any(word in key for word in ("police", "gendarm", "security", "dgsn"))
    female = 0.7 if "social" in key else 0.2 if uniformed else 0.4
    draw = rng.random()
    return "undisclosed" if draw < 0.06 else "female" if draw < 0.06 + 0.94 * female else "male"


def _code(rng: random.Random, taken: set[str]) -> str:
    while True:
        day = rng.randint(1, 31)
        code = f"{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}{day:02d}{rng.choice(_LETTERS)}"
        if code not in taken:
            taken.add(code)
            return code


def _near(rng: random.Random, code: str, taken: set[str]) -> str:
    """The same code with one element mistyped, as when a participant misremembers it."""
    while True:
        variant = (
            code[:4] + rng.choice(_LETTERS)
            if rng.random() < 0.5
            else code[0] + rng.choice(_LETTERS) + code[2:]
        )
        if variant not in taken:
            taken.add(variant)
            return variant


def _test_answer(question: Question, rng: random.Random, right: bool) -> AnswerValue:
    ids = [c.id for c in question.choices]
    correct = [c.id for c in question.choices if c.correct]
    value = float(question.answer or 0)
    if question.type == "truefalse":
        return bool(question.answer) == right
    if question.type == "number":
        if right:
            slack = int(question.tolerance) if rng.random() < 0.4 else 0
            return round(value) + rng.randint(-slack, slack) if value.is_integer() else value
        far = [
            v
            for v in (value * f for f in (0.1, 0.5, 0.6, 1.5, 2))
            if abs(v - value) > question.tolerance
        ]
        return round(rng.choice(far) if far else value + question.tolerance + 10)
    if question.type == "single":
        return (
            rng.choice(correct or ids)
            if right
            else rng.choice([i for i in ids if i not in correct] or ids)
        )
    picks = set(correct)
    wrong = [i for i in ids if i not in picks]
    # Near misses: forget one right option, add a tempting wrong one, or both.
    if not right and len(picks) > 1 and (not wrong or rng.random() < 0.6):
        picks.discard(rng.choice(sorted(picks)))
    if not right and wrong and (picks == set(correct) or rng.random() < 0.4):
        picks.add(rng.choice(wrong))
    return [i for i in ids if i in picks]


def _survey_answer(
    question: Question, rng: random.Random, mood: float, lang: str, pool: int
) -> AnswerValue:
    if question.type == "likert" and question.scale is not None:
        low, high = question.scale.min, question.scale.max
        level = low + (high - low) * (0.76 + mood + rng.gauss(0, 0.18))
        return max(low, min(high, round(level)))
    if question.type == "single":
        middle = len(question.choices) // 2
        weights = [
            3.0 if i == middle else 1.5 if i == 0 else 0.5 for i in range(len(question.choices))
        ]
        return rng.choices([c.id for c in question.choices], weights)[0]
    if question.type == "multiple":
        return [c.id for c in question.choices if rng.random() < 0.5] or [question.choices[0].id]
    if question.type == "truefalse":
        return rng.random() < 0.8
    if question.type == "number":
        return rng.randint(1, 10)
    return rng.choice(_COMMENTS.get(lang, _COMMENTS["fr"])[pool])


def _pool(nth: int, boxes: int) -> int:
    """Which comment pool the `nth` of `boxes` text questions draws from."""
    last = len(_COMMENTS["en"]) - 1
    return last if nth == boxes - 1 and nth > 0 else min(nth, last - 1)


def _answers(
    qs: QuestionSet,
    rng: random.Random,
    p: _Person,
    phase: Phase,
    item: dict[str, tuple[float, float]],
) -> dict[str, AnswerValue]:
    answers: dict[str, AnswerValue] = {}
    mood = rng.gauss(0, 0.12) + 0.04 * p.ability
    boxes = sum(q.type == "text" for q in qs.questions)
    nth_text = 0
    for q in qs.questions:
        if q.type == "note":
            continue
        if qs.kind == "test" and q.type in SCORED_TYPES:
            difficulty, learnability = item[q.id]
            learnt = {"post": 1.0, "followup": p.kept}.get(phase, 0.0)
            logit = p.ability - difficulty + p.gain * learnability * learnt
            right = rng.random() < 1 / (1 + math.exp(-logit))
            answers[q.id] = _test_answer(q, rng, right)
            continue
        pool = 0
        if q.type == "text":
            pool = _pool(nth_text, boxes)
            nth_text += 1
            # Most people skip optional comment boxes.
            if not q.required and rng.random() > 0.3:
                continue
        elif not q.required and rng.random() < _SKIP_OPTIONAL:
            continue
        answers[q.id] = _survey_answer(q, rng, mood, p.lang, pool)
    return answers


def simulate(
    training_join_code: str,
    institutions: list[str],
    pre: QuestionSet,
    post: QuestionSet,
    evaluation: QuestionSet | None,
    n: int,
    start: datetime,
    seed: int,
    followup: QuestionSet | None = None,
) -> list[Submission]:
    """About `n` participants' pre-tests, post-tests and evaluations, and with a `followup` set
    most of them taking it two months later; the same for the same seed."""
    rng = random.Random(seed)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    shift = {inst: rng.gauss(0.1, 0.3) for inst in institutions}
    later = followup.questions if followup is not None else []
    ids = list(dict.fromkeys(q.id for q in [*pre.questions, *post.questions, *later]))
    hard = [rng.gauss(0, 0.7) for _ in ids]
    centre = sum(hard) / len(hard)  # so class means stay near the targets whatever the seed
    item = {q: (h - centre, max(0.3, rng.gauss(1.0, 0.3))) for q, h in zip(ids, hard, strict=True)}
    # A couple of questions barely move: the training did not really cover them.
    for qid in rng.sample(ids, min(2, len(ids))):
        item[qid] = (item[qid][0], 0.1)

    taken: set[str] = set()
    people: list[_Person] = []
    order = [institutions[i % len(institutions)] for i in range(n)]
    rng.shuffle(order)
    langs = [lang for lang in _LANG_WEIGHTS if lang in pre.languages] or pre.languages[:1]
    for institution in order:
        people.append(
            _Person(
                code=_code(rng, taken),
                institution=institution,
                sex=_sex(rng, institution),
                age_band=rng.choice(_AGE_BANDS) if rng.random() < 0.85 else None,
                lang=rng.choices(langs, [_LANG_WEIGHTS.get(lang, 0.1) for lang in langs])[0],
                ability=rng.gauss(0, 0.9) + shift[institution],
                gain=rng.gauss(2.1, 0.6),
            )
        )
    for p in people:
        p.post_code, p.post_institution = p.code, p.institution
    # Irregular paths through the week, each drawn from different people.
    cut_pre = max(1, round(n * 0.07))
    cut_post = cut_pre + max(1, round(n * 0.05))
    odd = rng.sample(people, min(len(people), cut_post + 6))
    for p in odd[:cut_pre]:
        p.post = False
    for p in odd[cut_pre:cut_post]:
        p.pre = False
    for p in odd[cut_post : cut_post + 2]:
        p.post_code = _near(rng, p.code, taken)
    for p in odd[cut_post + 2 : cut_post + 4]:
        p.post_institution = rng.choice(
            [i for i in institutions if i != p.institution] or institutions
        )
    for p in odd[cut_post + 4 : cut_post + 6]:
        p.gain = -1.0  # people who left more confused than they came

    submissions: list[Submission] = []

    def submit(
        form: QuestionSet, phase: Phase, p: _Person, begin: datetime, *span: int
    ) -> datetime:
        """Add one submission that took between span[0] and span[1] minutes; return its end."""
        pre_profile = (p.code, p.institution)
        code, institution = pre_profile if phase == "pre" else (p.post_code, p.post_institution)
        lang = p.lang if p.lang in form.languages else form.languages[0]
        end = begin + timedelta(minutes=rng.uniform(span[0], span[1]))
        submissions.append(
            Submission(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                training=training_join_code,
                form=form.id,
                version=form.version,
                phase=phase,
                lang=lang,
                participant=ParticipantInfo(
                    code=code, institution=institution, sex=p.sex, age_band=p.age_band
                ),
                answers=_answers(form, rng, p, phase, item),
                started_at=_iso(begin),
                completed_at=_iso(end),
            )
        )
        return end

    for p in people:
        if p.pre:
            submit(pre, "pre", p, start + timedelta(minutes=rng.uniform(0, 25)), 12, 30)
        if p.post:
            day5 = start + timedelta(days=4, hours=5, minutes=rng.uniform(0, 20))
            done = submit(post, "post", p, day5, 10, 25)
            if evaluation is not None and rng.random() < 0.9:
                submit(
                    evaluation, "evaluation", p, done + timedelta(minutes=rng.uniform(1, 9)), 4, 12
                )
    if followup is not None:
        # A generator of its own, so the week's answers are the same with or without it.
        rng = random.Random(seed + 1)
        for p in people:
            if p.pre and p.post and rng.random() < 0.75:
                p.kept = min(1.0, max(0.0, rng.gauss(0.65, 0.2)))
                later = start + timedelta(days=rng.uniform(55, 75))
                submit(followup, "followup", p, later, 10, 25)
    submissions.sort(key=lambda s: (s.completed_at, s.id))
    return submissions
