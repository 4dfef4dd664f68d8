"""Synthetic but plausible report inputs, for tests, benchmarks and previews (marked simulated)."""

from __future__ import annotations

import numpy as np

from forms.model import Choice, Question, QuestionSet, Scale
from server.reports.inputs import Institution, ReportInput, Response, TrainingInfo

INSTITUTIONS = ["prosecution", "judiciary", "police", "gendarmerie", "social"]
TOPICS = ["definitions", "law", "victims", "investigation"]


def knowledge_form(
    n_questions: int = 10, *, form_id: str = "knowledge", pass_mark: float = 70
) -> QuestionSet:
    """A single-choice test whose correct answer is always choice `a`."""
    questions = [
        Question(
            id=f"q{i + 1}",
            type="single",
            topic=TOPICS[i % len(TOPICS)],
            text={"en": f"Question {i + 1}"},
            choices=[
                Choice(id="a", text={"en": "Right"}, correct=True),
                Choice(id="b", text={"en": "Wrong"}),
            ],
        )
        for i in range(n_questions)
    ]
    return QuestionSet(
        id=form_id,
        version="1",
        kind="test",
        title={"en": "Knowledge test"},
        languages=["en"],
        questions=questions,
        pass_mark=pass_mark,
    )


def evaluation_form() -> QuestionSet:
    """Three Likert items on 1-5 and one free-text comment."""
    scale = Scale(
        min=1, max=5, labels={1: {"en": "Strongly disagree"}, 5: {"en": "Strongly agree"}}
    )
    likert = [
        Question(id=f"e{i}", type="likert", text={"en": text}, scale=scale)
        for i, text in enumerate(
            ["The training was relevant", "The trainers were clear", "I can train colleagues"], 1
        )
    ]
    comment = Question(id="c1", type="text", text={"en": "Comments"}, required=False)
    return QuestionSet(
        id="reaction",
        version="1",
        kind="evaluation",
        title={"en": "Evaluation"},
        languages=["en"],
        questions=[*likert, comment],
    )


def sample_input(
    n: int = 40, n_questions: int = 10, *, seed: int = 1, evaluation: bool = True
) -> ReportInput:
    """`n` matched participants who mostly learn something, spread over five institutions."""
    rng = np.random.default_rng(seed)
    form = knowledge_form(n_questions)
    difficulty = rng.normal(0, 1, n_questions)
    ability = rng.normal(0, 1, n)
    gain = rng.normal(1.0, 0.6, n)
    responses: list[Response] = []
    qids = [q.id for q in form.questions]
    for i in range(n):
        code = f"P{i:05d}"
        inst = INSTITUTIONS[i % len(INSTITUTIONS)]
        sex = "female" if i % 3 else "male"
        for phase, shift, day in (("pre", 0.0, "07"), ("post", gain[i], "11")):
            p_right = 1 / (1 + np.exp(-(ability[i] + shift - difficulty)))
            right = rng.random(n_questions) < p_right
            points = {q: float(r) for q, r in zip(qids, right, strict=True)}
            responses.append(
                Response(
                    submission_id=f"{code}-{phase}",
                    code=code,
                    institution=inst,
                    sex=sex,
                    phase=phase,
                    completed_at=f"2019-01-{day}T09:{i % 60:02d}:00Z",
                    percent=100.0 * float(right.sum()) / n_questions,
                    item_points=points,
                    answers={q: ("a" if r else "b") for q, r in zip(qids, right, strict=True)},
                    simulated=True,
                )
            )
        if evaluation:
            levels = np.clip(np.round(rng.normal(4, 0.9, 3)), 1, 5).astype(int).tolist()
            answers: dict[str, object] = {f"e{k + 1}": v for k, v in enumerate(levels)}
            if i % 4 == 0:
                answers["c1"] = f"Useful mock trial, participant {i}"
            responses.append(
                Response(
                    submission_id=f"{code}-evaluation",
                    code=code,
                    institution=inst,
                    sex=sex,
                    phase="evaluation",
                    completed_at=f"2019-01-11T10:{i % 60:02d}:00Z",
                    answers=answers,
                    simulated=True,
                )
            )
    return ReportInput(
        training=TrainingInfo(
            id="sample",
            title="Sample training",
            country="MA",
            location="Rabat",
            starts_on="2019-01-07",
            ends_on="2019-01-11",
            simulated=True,
        ),
        institutions=[Institution(key=k, name={"en": k.title()}) for k in INSTITUTIONS],
        responses=responses,
        pre_form=form,
        post_form=form,
        eval_form=evaluation_form() if evaluation else None,
    )
