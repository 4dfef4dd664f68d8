"""The expression table (tests/data/expressions.json) run through forms.expressions; the
participant app runs the same table."""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path
from typing import Any

import pytest

from forms.expressions import Context, ExpressionError, evaluate, parse, references

TABLE = json.loads((Path(__file__).parent / "data" / "expressions.json").read_text("utf-8"))
NOW = datetime.datetime.fromisoformat(TABLE["now"])


def _case_id(case: dict[str, Any]) -> str:
    return str(case["expr"]) or "(empty)"


@pytest.mark.parametrize("case", TABLE["cases"], ids=_case_id)
def test_expression_table(case: dict[str, Any]) -> None:
    context = Context(TABLE["answers"], case.get("current"), case.get("choice"), NOW)
    if case.get("error"):
        with pytest.raises(ExpressionError):
            evaluate(case["expr"], context)
        return
    value = evaluate(case["expr"], context)
    expected = case["expected"]
    if isinstance(expected, bool):
        assert value is expected
    elif isinstance(expected, int | float):
        assert isinstance(value, float) and math.isclose(value, expected, abs_tol=1e-9)
    else:
        assert value == expected or (
            isinstance(value, datetime.date) and value.isoformat() == expected
        )


def test_references_name_the_questions_an_expression_reads() -> None:
    assert references(parse("selected(${means}, 'a') and ../age > 1 and cf = ${state}")) == {
        "means", "age", "state"
    }  # fmt: skip


def test_a_bare_name_outside_a_choice_filter_is_explained() -> None:
    with pytest.raises(ExpressionError, match=r"write \$\{age\}"):
        evaluate("age > 1", Context({"age": 3}))
