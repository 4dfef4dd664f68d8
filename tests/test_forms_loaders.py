"""Loading question sets from files and bodies, canonical storage, and what phones receive."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from forms.canonical import content_hash, from_json, to_json
from forms.errors import FormError, FormErrors
from forms.loaders import load_bytes, load_obj, load_path
from forms.model import QuestionSet
from forms.public import public_view

LIBRARY = Path(__file__).resolve().parent.parent / "forms" / "library"

GOOD_YAML = """\
id: tip-som
version: "2019.1"
kind: test
title: {en: TIP test, fr: Test TIP}
languages: [en, fr]
pass_mark: 70
questions:
  - id: q1
    type: single
    topic: definitions
    hint: {en: One answer, fr: Une réponse}
    text: {en: Elements?, fr: Éléments ?}
    choices:
      - {id: a, text: {en: Act means purpose, fr: Acte moyen but}, correct: true}
      - {id: b, text: {en: Border, fr: Frontière}}
  - id: q2
    type: multiple
    partial: true
    points: 2
    text: {en: Means?, fr: Moyens ?}
    choices:
      - {id: a, text: {en: Fraud, fr: Fraude}, correct: true}
      - {id: b, text: {en: Force, fr: Force}, correct: true}
      - {id: c, text: {en: Visa, fr: Visa}}
  - id: q3
    type: truefalse
    answer: false
    text: {en: Consent matters?, fr: Le consentement compte ?}
  - id: q4
    type: number
    answer: 27
    tolerance: 1
    text: {en: Victims in 2017?, fr: Victimes en 2017 ?}
  - id: q5
    type: likert
    scale: {min: 1, max: 5, labels: {1: {en: Low, fr: Faible}, 5: {en: High, fr: Élevée}}}
    text: {en: Confidence?, fr: Confiance ?}
  - id: q6
    type: note
    text: {en: Thank you, fr: Merci}
"""


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def line_of(text: str, snippet: str, after: str = "") -> int:
    """The 1-based number of the first line holding `snippet` (after the line holding `after`)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start + 1) if snippet in line)


def errors_of(path: Path) -> list[FormError]:
    with pytest.raises(FormErrors) as caught:
        load_path(path)
    return caught.value.errors


def test_yaml_loads_into_the_model(tmp_path: Path) -> None:
    qs = load_path(write(tmp_path, "tip.yaml", GOOD_YAML))
    assert qs.id == "tip-som" and qs.kind == "test" and len(qs.questions) == 6
    assert qs.questions[1].partial and qs.questions[1].points == 2
    assert qs.questions[3].answer == 27 and qs.questions[3].tolerance == 1
    scale = qs.questions[4].scale
    assert scale is not None and scale.labels[5] == {"en": "High", "fr": "Élevée"}


def test_json_with_string_label_keys_loads_the_same_set(tmp_path: Path) -> None:
    qs = load_path(write(tmp_path, "tip.yaml", GOOD_YAML))
    as_json = json.dumps(json.loads(to_json(qs)), ensure_ascii=False, indent=2)
    assert '"5": {' in as_json
    assert load_path(write(tmp_path, "tip.json", as_json)) == qs


def test_json_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    qs = load_path(write(tmp_path, "tip.yaml", GOOD_YAML))
    path = tmp_path / "tip.json"
    path.write_bytes(b"\xef\xbb\xbf" + to_json(qs))
    assert load_path(path) == qs


def test_yml_extension_and_upper_case_are_accepted() -> None:
    assert load_bytes(GOOD_YAML.encode(), "TIP.YML").id == "tip-som"


def test_load_obj_accepts_a_decoded_json_body() -> None:
    qs = load_bytes(GOOD_YAML.encode(), "tip.yaml")
    assert load_obj(json.loads(to_json(qs)), "request body") == qs


@pytest.mark.parametrize("path", sorted(LIBRARY.glob("*.yaml")), ids=lambda p: p.name)
def test_bundled_library_sets_load(path: Path) -> None:
    assert load_path(path).questions


def test_unknown_key_reports_file_line_and_path(tmp_path: Path) -> None:
    bad = GOOD_YAML.replace("{id: b, text: {en: Border, fr: Frontière}}", "{id: b, corect: true}")
    errors = errors_of(write(tmp_path, "tip.yaml", bad))
    line = line_of(bad, "corect")
    assert line == 15
    assert (
        errors[0].where == f"{tmp_path / 'tip.yaml'}, line {line}, questions[0].choices[1].corect"
    )
    assert "did you mean `correct`?" in errors[0].message


def test_every_structural_error_is_reported_in_one_pass(tmp_path: Path) -> None:
    bad = (
        GOOD_YAML.replace('version: "2019.1"', "version: 2019.1")
        .replace("type: truefalse", "type: yesno")
        .replace("tolerance: 1", "tolerance: one")
    )
    errors = errors_of(write(tmp_path, "tip.yaml", bad))
    places = [e.where.split(", ", 1)[1] for e in errors]
    assert places == [
        "line 2, version",
        f"line {line_of(bad, 'type: yesno')}, questions[2].type",
        f"line {line_of(bad, 'tolerance: one')}, questions[3].tolerance",
    ]
    assert "put it in quotes" in errors[0].message
    assert "use one of single, multiple, truefalse" in errors[1].message
    assert errors[2].message == "expected a number, got text"


def test_missing_key_points_at_the_mapping_that_lacks_it(tmp_path: Path) -> None:
    bad = GOOD_YAML.replace("    text: {en: Consent matters?, fr: Le consentement compte ?}\n", "")
    (error,) = errors_of(write(tmp_path, "tip.yaml", bad))
    assert error.where.endswith(f"tip.yaml, line {line_of(bad, '- id: q3')}, questions[2]")
    assert error.message == "`text` is missing; add it"


def test_unquoted_yes_no_is_explained(tmp_path: Path) -> None:
    bad = GOOD_YAML.replace("languages: [en, fr]", "languages: [en, no]")
    errors = errors_of(write(tmp_path, "tip.yaml", bad))
    assert errors[0].where.endswith("line 5, languages[1]")
    assert "yes/no/on/off" in errors[0].message


def test_validation_errors_carry_lines_too(tmp_path: Path) -> None:
    bad = GOOD_YAML.replace("{id: b, text: {en: Border, fr: Frontière}}", "{id: a, text: {en: B}}")
    errors = errors_of(write(tmp_path, "tip.yaml", bad))
    by_place = {e.where.split(", ", 1)[1]: e.message for e in errors}
    line = line_of(bad, "{id: a, text: {en: B}}")
    assert "used twice" in by_place[f"line {line}, questions[0].choices[1].id"]
    assert "missing the fr text" in by_place[f"line {line}, questions[0].choices[1].text"]


def test_yaml_syntax_error_reports_its_line(tmp_path: Path) -> None:
    bad = GOOD_YAML.replace("languages: [en, fr]", "languages: [en, fr")
    (error,) = errors_of(write(tmp_path, "tip.yaml", bad))
    assert error.where == f"{tmp_path / 'tip.yaml'}, line 6"
    assert error.message.startswith("not valid YAML")


def test_duplicate_keys_are_reported_not_silently_dropped(tmp_path: Path) -> None:
    bad = GOOD_YAML.replace("    answer: false\n", "    answer: false\n    answer: true\n")
    errors = errors_of(write(tmp_path, "tip.yaml", bad))
    assert [(e.where.split(", ", 1)[1], e.message) for e in errors] == [
        (
            f"line {line_of(bad, 'answer: true')}, questions[2].answer",
            "`answer` is given twice here; keep only one",
        )
    ]


def test_malformed_json_reports_line_and_column(tmp_path: Path) -> None:
    (error,) = errors_of(write(tmp_path, "x.json", '{\n  "id": "x",\n  "version": [1,]\n}'))
    assert error.where.endswith("x.json, line 3")
    assert "trailing comma" in error.message and "column 17" in error.message


def test_json_type_error_reports_line_of_the_path(tmp_path: Path) -> None:
    qs = load_bytes(GOOD_YAML.encode(), "tip.yaml")
    doc = json.loads(to_json(qs))
    doc["questions"][2]["answer"] = "false"
    text = json.dumps(doc, indent="\t", ensure_ascii=False)
    line = next(n for n, s in enumerate(text.splitlines(), 1) if '"answer": "false"' in s)
    (error,) = errors_of(write(tmp_path, "tip.json", text))
    assert error.where.endswith(f"tip.json, line {line}, questions[2].answer")
    assert error.message == "expected true/false or a number, got text"


def test_json_lines_survive_escaped_non_bmp_characters(tmp_path: Path) -> None:
    qs = load_bytes(GOOD_YAML.encode(), "tip.yaml")
    doc = json.loads(to_json(qs))
    doc["title"]["en"] = "TIP \U0001f600"
    doc["questions"][0]["id"] = 1
    text = json.dumps(doc, indent=1)  # ASCII only: the emoji becomes a surrogate pair escape
    assert "\\ud83d" in text
    (error,) = errors_of(write(tmp_path, "tip.json", text))
    line = line_of(text, '"id": 1')
    assert error.where.endswith(f"tip.json, line {line}, questions[0].id")


def test_recursive_yaml_aliases_are_refused_without_crashing(tmp_path: Path) -> None:
    errors = errors_of(write(tmp_path, "r.yaml", "questions: &x [*x]\ntitle: &y {a: *y}\n"))
    assert [e.where.split(", ", 1)[1] for e in errors] == [
        "line 1",
        "line 2, title",
        "line 1, questions[0]",
    ]
    assert errors[0].message == "`id`, `version`, `kind` and `languages` are missing; add them"


def test_json_label_keys_must_be_numbers(tmp_path: Path) -> None:
    qs = load_bytes(GOOD_YAML.encode(), "tip.yaml")
    doc: Any = json.loads(to_json(qs))
    doc["questions"][4]["scale"]["labels"]["high"] = {"en": "x", "fr": "x"}
    (error,) = errors_of(write(tmp_path, "tip.json", json.dumps(doc)))
    assert error.where.endswith("line 1, questions[4].scale.labels")
    assert error.message == "keys here must be a whole number, got text"


def test_body_errors_name_the_body_and_the_path() -> None:
    with pytest.raises(FormErrors) as caught:
        load_obj({"id": "x", "version": "1", "kind": "quiz", "title": {}}, "request body")
    assert [(e.where, e.message) for e in caught.value.errors] == [
        ("request body", "`languages` and `questions` are missing; add them"),
        ("request body, kind", "'quiz' is not a valid kind; use one of test, evaluation"),
    ]


@pytest.mark.parametrize("content", ["", "# only a comment\n"])
def test_empty_file_is_explained(tmp_path: Path, content: str) -> None:
    (error,) = errors_of(write(tmp_path, "e.yaml", content))
    assert "the document is empty" in error.message


def test_top_level_list_is_refused(tmp_path: Path) -> None:
    (error,) = errors_of(write(tmp_path, "l.yaml", "- a\n- b\n"))
    assert error.where.endswith("l.yaml, line 1")
    assert error.message == "expected a mapping (key: value), got a list"


def test_unsupported_extension_and_missing_file(tmp_path: Path) -> None:
    (error,) = errors_of(write(tmp_path, "tip.txt", GOOD_YAML))
    assert "unsupported file type '.txt'" in error.message
    (missing,) = errors_of(tmp_path / "nope.yaml")
    assert "cannot read the file" in missing.message


def test_xlsx_is_handed_to_the_xlsform_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = load_bytes(GOOD_YAML.encode(), "tip.yaml")
    seen: list[tuple[bytes, str]] = []

    def load_xlsform(data: bytes, filename: str) -> QuestionSet:
        seen.append((data, filename))
        return expected

    fake = types.ModuleType("forms.xlsform")
    fake.load_xlsform = load_xlsform  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "forms.xlsform", fake)
    assert load_bytes(b"PK", "tip.xlsx") is expected
    assert seen == [(b"PK", "tip.xlsx")]


def test_nothing_is_returned_when_any_error_exists(tmp_path: Path) -> None:
    bad = GOOD_YAML.replace("pass_mark: 70", "pass_mark: 170")
    errors = errors_of(write(tmp_path, "tip.yaml", bad))
    assert [e.where.split(", ", 1)[1] for e in errors] == ["line 6, pass_mark"]


# canonical


REORDERED_YAML = """\
questions:
  - type: single
    id: q1
    choices:
      - {correct: true, text: {fr: Oui, en: Right}, id: a}
      - {text: {fr: Non, en: Wrong}, id: b}
    text: {fr: Q, en: Q}
    required: true
    points: 1
languages: [en, fr]
title: {fr: T, en: T}
kind: test
version: "1"
id: s
"""

ORDERED_YAML = """\
id: s
version: "1"
kind: test
title: {en: T, fr: T}
languages: [en, fr]
questions:
  - id: q1
    type: single
    text: {en: Q, fr: Q}
    choices:
      - {id: a, text: {en: Right, fr: Oui}, correct: true}
      - {id: b, text: {en: Wrong, fr: Non}}
"""


def test_hash_is_stable_under_key_order_and_spelled_out_defaults() -> None:
    a = load_bytes(ORDERED_YAML.encode(), "a.yaml")
    b = load_bytes(REORDERED_YAML.encode(), "b.yaml")
    assert content_hash(a) == content_hash(b)
    assert to_json(a) == to_json(b)


def test_hash_changes_with_content() -> None:
    a = load_bytes(ORDERED_YAML.encode(), "a.yaml")
    b = load_bytes(ORDERED_YAML.replace("{en: Wrong,", "{en: Bad,").encode(), "b.yaml")
    assert content_hash(a) != content_hash(b)
    assert len(content_hash(a)) == 64


def test_canonical_json_round_trips_including_label_keys() -> None:
    qs = load_bytes(GOOD_YAML.encode(), "tip.yaml")
    assert from_json(to_json(qs)) == qs
    assert content_hash(from_json(to_json(qs))) == content_hash(qs)


# public view

KEYS = {"correct", "answer", "tolerance", "points", "partial", "topic", "source"}


def all_keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


def test_public_view_carries_no_answer_key_anywhere() -> None:
    view = public_view(load_bytes(GOOD_YAML.encode(), "tip.yaml"))
    assert not all_keys(view) & KEYS
    assert "pass_mark" not in view


def test_public_view_is_plain_json_with_what_the_phone_shows() -> None:
    view = public_view(load_bytes(GOOD_YAML.encode(), "tip.yaml"))
    assert json.loads(json.dumps(view)) == view
    q1, q2, _, _, q5, note = view["questions"]
    assert [c["id"] for c in q2["choices"]] == ["a", "b", "c"]
    assert q1["choices"] == [
        {"id": "a", "text": {"en": "Act means purpose", "fr": "Acte moyen but"}},
        {"id": "b", "text": {"en": "Border", "fr": "Frontière"}},
    ]
    assert q1["hint"] == {"en": "One answer", "fr": "Une réponse"}
    assert q5["scale"]["labels"] == {
        "1": {"en": "Low", "fr": "Faible"},
        "5": {"en": "High", "fr": "Élevée"},
    }
    assert q1["required"] is True and note["required"] is False
    assert view["languages"] == ["en", "fr"] and view["title"]["fr"] == "Test TIP"


@pytest.mark.parametrize("path", sorted(LIBRARY.glob("*.yaml")), ids=lambda p: p.name)
def test_public_view_of_bundled_sets_has_no_keys(path: Path) -> None:
    assert not all_keys(public_view(load_path(path))) & KEYS
