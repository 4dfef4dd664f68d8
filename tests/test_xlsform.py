"""XLSForm import: real-world style workbooks built here with openpyxl, type mappings, answer keys,
errors placed on the sheet and row Excel shows, the generated template, loaders and the CLI."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from forms.errors import FormErrors
from forms.loaders import load_bytes
from forms.model import QuestionSet
from forms.validate import validate
from forms.xlsform import load_xlsform
from forms.xlsform_template import template_bytes
from server.cli import main

EN, FR, AR = "label::English (en)", "label::French (fr)", "label::Arabic (ar)"
SETTINGS = [["form_id", "version", "form_title"], ["tip-test", "2019.1", "TIP test"]]


def workbook(**sheets: list[list[Any]]) -> bytes:
    """An .xlsx with one sheet per keyword; each sheet is its rows, the header first."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def load(**sheets: list[list[Any]]) -> QuestionSet:
    sheets.setdefault("settings", SETTINGS)
    return load_xlsform(workbook(**sheets), "tip.xlsx")


def errors_of(**sheets: list[list[Any]]) -> list[str]:
    with pytest.raises(FormErrors) as caught:
        load(**sheets)
    return [f"{e.where}: {e.message}" for e in caught.value.errors]


#: A knowledge test as programme staff write it: groups, a note, three languages, hints,
#: `required` mostly blank, a key on the choices sheet and in the answer column.
REAL_SURVEY = [
    ["type", "name", EN, FR, AR, "hint::English (en)", "hint::French (fr)", "hint::Arabic (ar)",
     "required", "points", "answer", "tolerance", "constraint_message", "Notes for translators"],
    ["start", "start"],
    ["end", "end"],
    ["note", "welcome", "Welcome", "Bienvenue", "مرحبا"],
    ["begin group", "definitions", "Definitions", "Définitions", "تعاريف"],
    ["select_one elements", "q1", "What makes up trafficking?", "Qu'est-ce que la traite ?",
     "ما هي عناصر الاتجار؟", "One answer", "Une réponse", "إجابة واحدة", "yes", None, None, None,
     "Pick one", "keep 'traite' as is"],
    ["select_multiple means", "q2", "Which are means?", "Lesquels sont des moyens ?",
     "ما هي الوسائل؟", None, None, None, None, 2, "fraud force"],
    ["end group"],
    ["begin_group", "figures"],
    ["integer", "q3", "Victims in 2017?", "Victimes en 2017 ?", "الضحايا في 2017؟", None, None,
     None, None, None, 27, 1],
    ["truefalse", "q4", "Consent matters?", "Le consentement compte ?", "هل الموافقة مهمة؟",
     None, None, None, None, None, "false"],
    ["end_group"],
    ["text", "comments", "Comments", "Commentaires", "تعليقات"],
    [None, None, None, None, None, None, None, None, None, None, None, None, None, "check ar"],
]  # fmt: skip
REAL_CHOICES = [
    ["list_name", "name", EN, FR, AR, "correct"],
    ["elements", "a", "Act, means, purpose", "Acte, moyen, but", "الفعل والوسيلة والغرض", 1],
    ["elements", "b", "Crossing a border", "Franchir une frontière", "عبور الحدود"],
    [],
    ["means", "fraud", "Fraud", "Fraude", "الاحتيال"],
    ["means", "force", "Force", "Force", "القوة"],
    ["means", "visa", "A visa", "Un visa", "تأشيرة"],
]
REAL_SETTINGS = [
    ["form_id", "version", "form_title::English (en)", "form_title::French (fr)",
     "form_title::Arabic (ar)", "pass_mark", "style"],
    ["tip-som-knowledge", "2019.1", "TIP test", "Test TIP", "اختبار", 70, "pages"],
]  # fmt: skip


def test_real_world_test_with_groups_notes_translations_and_hints_loads() -> None:
    qs = load(survey=REAL_SURVEY, choices=REAL_CHOICES, settings=REAL_SETTINGS)
    assert (qs.id, qs.version, qs.kind, qs.pass_mark) == ("tip-som-knowledge", "2019.1", "test", 70)
    assert qs.languages == ["en", "fr", "ar"]
    assert qs.title == {"en": "TIP test", "fr": "Test TIP", "ar": "اختبار"}
    assert [(q.id, q.type) for q in qs.questions] == [
        ("welcome", "note"),
        ("q1", "single"),
        ("q2", "multiple"),
        ("q3", "number"),
        ("q4", "truefalse"),
        ("comments", "text"),
    ]
    _, q1, q2, q3, q4, comments = qs.questions
    assert q1.text["ar"] == "ما هي عناصر الاتجار؟"
    assert q1.hint == {"en": "One answer", "fr": "Une réponse", "ar": "إجابة واحدة"}
    assert [(c.id, c.correct) for c in q1.choices] == [("a", True), ("b", False)]
    assert [c.id for c in q2.choices if c.correct] == ["fraud", "force"]
    assert q2.points == 2
    assert (q3.answer, q3.tolerance) == (27, 1)
    assert q4.answer is False
    # Groups are flattened; a question takes its group's name as its topic.
    assert [q.topic for q in qs.questions] == [
        None,
        "definitions",
        "definitions",
        "figures",
        "figures",
        None,
    ]
    # `required` blank means no, as in XLSForm.
    assert [q.required for q in (q1, q2, q3, q4, comments)] == [True, False, False, False, False]
    assert validate(qs) == []


def test_every_type_maps_to_its_question_type() -> None:
    qs = load(
        survey=[
            ["type", "name", "label", "parameters", "appearance", "labels"],
            ["select_one yn", "s1", "Single"],
            ["select one yn", "s2", "Single, spelt with a space"],
            ["select_multiple yn", "m1", "Multiple"],
            ["integer", "n1", "Integer"],
            ["decimal", "n2", "Decimal"],
            ["range", "r1", "Range", "start=1 end=5 step=1"],
            ["range", "r2", "Range with labels", "start=1 end=3", None, "agree"],
            ["select_one agree", "l1", "Likert appearance", None, "likert"],
            ["text", "t1", "Text"],
            ["note", "n3", "Note"],
            ["truefalse", "tf", "True or false?"],
        ],
        choices=[
            ["list_name", "name", "label"],
            ["yn", "yes", "Yes"],
            ["yn", "no", "No"],
            ["agree", 1, "Disagree"],
            ["agree", 2, "Neutral"],
            ["agree", 3, "Agree"],
        ],
        settings=[["form_id", "version", "form_title", "default_language"], ["s", 1, "S", "en"]],
    )
    assert qs.kind == "evaluation"
    assert [q.type for q in qs.questions] == [
        "single",
        "single",
        "multiple",
        "number",
        "number",
        "likert",
        "likert",
        "likert",
        "text",
        "note",
        "truefalse",
    ]
    r1, r2, l1 = qs.questions[5:8]
    assert r1.scale is not None and (r1.scale.min, r1.scale.max, r1.scale.labels) == (1, 5, {})
    agree = {1: {"en": "Disagree"}, 2: {"en": "Neutral"}, 3: {"en": "Agree"}}
    assert r2.scale is not None and (r2.scale.min, r2.scale.max, r2.scale.labels) == (1, 3, agree)
    assert l1.scale is not None and (l1.scale.min, l1.scale.max, l1.scale.labels) == (1, 3, agree)
    assert l1.choices == []
    assert qs.version == "1"


def test_answer_overrides_correct_for_a_list_shared_by_several_questions() -> None:
    qs = load(
        survey=[
            ["type", "name", "label::en", "answer"],
            ["select_one institutions", "q1", "Who prosecutes?"],
            ["select_one institutions", "q2", "Who identifies victims?", "social"],
            ["select_multiple institutions", "q3", "Who may arrest?", "police gendarmerie"],
        ],
        choices=[
            ["list_name", "name", "label::en", "correct"],
            ["institutions", "prosecutor", "Prosecutor", 1],
            ["institutions", "police", "Police"],
            ["institutions", "gendarmerie", "Gendarmerie"],
            ["institutions", "social", "Social workers"],
        ],
    )
    assert qs.kind == "test"
    correct = [[c.id for c in q.choices if c.correct] for q in qs.questions]
    assert correct == [["prosecutor"], ["social"], ["police", "gendarmerie"]]


def test_kind_is_test_when_keyed_else_evaluation_unless_settings_say() -> None:
    survey = [["type", "name", "label::en"], ["text", "c", "Comments"], ["integer", "n", "Age"]]
    assert load(survey=survey).kind == "evaluation"
    keyed = [*survey[:2], ["integer", "n", "Victims?", 27]]
    keyed[0] = [*survey[0], "answer"]
    assert load(survey=keyed).kind == "test"
    settings = [[*SETTINGS[0], "kind"], [*SETTINGS[1], "Test"]]
    assert errors_of(survey=survey, settings=settings) == [
        "tip.xlsx, sheet 'survey', row 3: question 'n' has no answer; put the right number in its "
        "answer cell"
    ]
    assert errors_of(survey=survey[:2], settings=settings) == [
        "tip.xlsx, sheet 'survey': a test needs at least one scored question (single, multiple, "
        "truefalse or number); add one, or set kind to evaluation on sheet 'settings'"
    ]


def test_plain_label_is_in_the_default_language() -> None:
    qs = load(
        survey=[["type", "name", "label", "label::Arabic (ar)"], ["text", "c", "Remarques", "ت"]],
        settings=[
            ["form_id", "version", "form_title", "default_language"],
            ["f", "1", "Évaluation", "French (fr)"],
        ],
    )
    assert qs.languages == ["fr", "ar"]
    assert qs.questions[0].text == {"fr": "Remarques", "ar": "ت"}
    # A plain form_title serves every language without its own.
    assert qs.title == {"fr": "Évaluation", "ar": "Évaluation"}


def test_plain_label_without_a_default_language_is_an_error() -> None:
    assert errors_of(survey=[["type", "name", "label"], ["text", "c", "Comments"]]) == [
        "tip.xlsx, sheet 'survey', row 1, column 'label': which language is it in? Name it e.g. "
        "'label::English (en)', or give default_language on sheet 'settings'"
    ]


def test_language_names_without_codes_and_bare_codes_are_understood() -> None:
    qs = load(
        survey=[
            ["type", "name", "label::English", "label::Français", "label::ar"],
            ["text", "c", "Comments", "Commentaires", "تعليقات"],
        ],
        settings=[
            ["form_id", "version", "form_title", "form_title::French"],
            ["f", "1", "Evaluation", "Évaluation"],
        ],
    )
    assert qs.languages == ["en", "fr", "ar"]
    assert qs.title == {"en": "Evaluation", "fr": "Évaluation", "ar": "Evaluation"}


def test_sheet_names_and_headers_are_case_insensitive() -> None:
    data = workbook(
        Survey=[["Type", "Name", "Label::en"], ["select_one yn", "q", "Q?"]],
        CHOICES=[["List Name", "NAME", "Label::en", "Correct"], ["yn", "y", "Yes", 1], ["yn", "n", "No"]],
        Settings=SETTINGS,
    )  # fmt: skip
    qs = load_xlsform(data, "tip.xlsx")
    assert [c.correct for c in qs.questions[0].choices] == [True, False]


def test_metadata_rows_are_skipped_and_blank_rows_keep_excel_numbers() -> None:
    errors = errors_of(
        survey=[
            ["type", "name", "label::en"],
            ["start", "start"],
            ["deviceid", "deviceid"],
            [],
            [],
            ["select_one yesno", "q1", "Consent?"],
        ]
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 6, column 'type': choice list 'yesno' is not defined on "
        "sheet 'choices'; there is no sheet 'choices'"
    ]


def test_excel_booleans_and_numbers_read_as_written() -> None:
    qs = load(
        survey=[["type", "name", "label::en", "answer"], ["select_one tf", "q", "Domestic?", True]],
        choices=[["list_name", "name", "label::en"], ["tf", True, "True"], ["tf", False, "False"]],
        settings=[["form_id", "version", "form_title"], ["f", 2019.1, "T"]],
    )
    assert qs.version == "2019.1"
    assert [(c.id, c.correct) for c in qs.questions[0].choices] == [
        ("true", True),
        ("false", False),
    ]


def test_pass_mark_in_a_percent_cell_is_read_as_a_percent() -> None:
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    for row in [["type", "name", "label::en", "answer"], ["integer", "q", "Victims?", 27]]:
        survey.append(row)
    settings = book.create_sheet("settings")
    for row in [["form_id", "version", "form_title", "pass_mark"], ["f", "1", "T", 0.7]]:
        settings.append(row)
    settings["D2"].number_format = "0%"
    out = io.BytesIO()
    book.save(out)
    assert load_xlsform(out.getvalue(), "f.xlsx").pass_mark == 70


# -- errors: each names the sheet and the row as Excel shows it, all reported at once ----------


def test_undefined_list_unknown_type_and_unsupported_features_are_reported_together() -> None:
    errors = errors_of(
        survey=[
            ["type", "name", "label::en", "relevant", "calculation", "media::image::en"],
            ["select_one yesno", "q1", "Consent?"],
            ["singel", "q2", "Q2"],
            ["geopoint", "where", "Where?"],
            ["integer", "q3", "Age", "${q1} = 'yes'"],
            ["calculate", "c", None, None, "1 + 1"],
            ["note", "pic", "Look", None, None, "map.png"],
            ["begin repeat", "people"],
            ["text", "name", "Name"],
            ["end repeat"],
            ["select_one yn or_other", "q4", "Q4"],
        ],
        choices=[["list_name", "name", "label::en"], ["yn", "y", "Yes"], ["yn", "n", "No"]],
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 2, column 'type': choice list 'yesno' is not defined on "
        "sheet 'choices'",
        "tip.xlsx, sheet 'survey', row 3, column 'type': unknown type 'singel'; did you mean "
        "'select_one'?",
        "tip.xlsx, sheet 'survey', row 4, column 'type': Tadrib does not support 'geopoint'; use "
        "select_one, select_multiple, integer, decimal, range, text, note, truefalse",
        "tip.xlsx, sheet 'survey', row 5, column 'relevant': Tadrib does not support skip logic "
        "(relevant); clear \"${q1} = 'yes'\"",
        "tip.xlsx, sheet 'survey', row 6, column 'calculation': Tadrib does not support "
        "calculations; clear '1 + 1'",
        "tip.xlsx, sheet 'survey', row 6, column 'type': Tadrib does not support 'calculate'; use "
        "select_one, select_multiple, integer, decimal, range, text, note, truefalse",
        "tip.xlsx, sheet 'survey', row 7, column 'media::image::en': Tadrib does not support "
        "media (images, audio, video); clear 'map.png'",
        "tip.xlsx, sheet 'survey', row 8, column 'type': Tadrib does not support repeats; ask "
        "each question once",
        "tip.xlsx, sheet 'survey', row 11, column 'type': 'select_one yn or_other' is not "
        "supported; write 'select_one yn'",
    ]


def test_missing_label_translation_names_its_row_and_language() -> None:
    errors = errors_of(
        survey=[
            ["type", "name", EN, FR, "hint::English (en)"],
            ["select_one yn", "q1", "Consent?", "Consentement ?"],
            ["text", "q2", "Comments", None, "Anything"],
        ],
        choices=[["list_name", "name", EN, FR], ["yn", "y", "Yes", "Oui"], ["yn", "n", "No"]],
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 1: no hint column in French (fr); add 'hint::French (fr)'",
        "tip.xlsx, sheet 'survey', row 3, column 'label': the French (fr) label is empty; fill it "
        "in (every text needs English (en), French (fr))",
        "tip.xlsx, sheet 'choices', row 3, column 'label': the French (fr) label is empty; fill it "
        "in (every text needs English (en), French (fr))",
    ]


def test_bad_settings_are_reported_on_their_cells() -> None:
    errors = errors_of(
        survey=[["type", "name", "label::en", "answer"], ["integer", "q", "Victims?", 27]],
        settings=[
            ["form_id", "version", "form_title", "kind", "pass_mark", "default_language"],
            ["tip test!", None, None, "quiz", "most", "Klingon"],
        ],
    )
    assert errors == [
        "tip.xlsx, sheet 'settings', row 2, column 'default_language': which language is "
        "'Klingon'? Write e.g. 'French (fr)'",
        "tip.xlsx, sheet 'settings', row 2, column 'version': the version is empty; give one, e.g. "
        "2019.1 (formatted as text)",
        "tip.xlsx, sheet 'settings', row 2, column 'form_title': the title is empty; fill in "
        "form_title",
        "tip.xlsx, sheet 'settings', row 2, column 'kind': kind is 'quiz'; use test or evaluation",
        "tip.xlsx, sheet 'settings', row 2, column 'pass_mark': pass_mark is 'most'; give a "
        "percent, e.g. 70",
        "tip.xlsx, sheet 'settings', row 2, column 'form_id': the set's id 'tip test!' may only "
        "use letters, digits, '-', '_' and '.', starting with a letter or digit",
    ]


def test_a_missing_translation_column_is_reported_once() -> None:
    errors = errors_of(
        survey=[["type", "name", EN, FR], ["select_one yn", "q1", "Consent?", "Consentement ?"]],
        choices=[["list_name", "name", EN], ["yn", "y", "Yes"], ["yn", "n", "No"]],
    )
    assert errors == [
        "tip.xlsx, sheet 'choices', row 1: no label column in French (fr); add 'label::French (fr)'"
    ]


def test_a_missing_settings_sheet_is_named() -> None:
    with pytest.raises(FormErrors) as caught:
        load_xlsform(workbook(survey=[["type", "name", "label::en"], ["text", "c", "C"]]), "x.xlsx")
    assert [(e.where, e.message) for e in caught.value.errors] == [
        (
            "x.xlsx, sheet 'settings'",
            "there is no sheet 'settings'; add one with form_id, version and form_title",
        )
    ]


def test_model_validation_errors_point_at_sheet_rows() -> None:
    errors = errors_of(
        survey=[
            ["type", "name", "label::en", "points", "answer", "parameters", "labels"],
            ["select_one yn", "q1", "Consent?"],
            ["select_one yn", "q1", "Again?", None, "y"],
            ["select_one yn", "q3", "Both?", None, "y n"],
            ["range", "e1", "Useful?", 2, None, "start=1 end=3", "agree"],
        ],
        choices=[
            ["list_name", "name", "label::en"],
            ["yn", "y", "Yes"],
            ["yn", "n", "No"],
            ["agree", 1, "Low"],
            ["agree", 5, "High"],
        ],
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 2: question 'q1' has no correct choice; put 1 in its "
        "correct cell on sheet 'choices', or name it in this row's answer",
        "tip.xlsx, sheet 'survey', row 3, column 'name': question id 'q1' is used more than once; "
        "give each question its own id",
        "tip.xlsx, sheet 'survey', row 4: question 'q3' has 2 correct choices (y, n); a single "
        "question needs exactly one, or make it a select_multiple",
        "tip.xlsx, sheet 'survey', row 5, column 'points': likert questions are not scored; "
        "remove points",
        "tip.xlsx, sheet 'choices', row 5, column 'label': label 5 is outside the scale 1–3; "
        "remove it",
    ]


def test_header_and_choices_sheet_problems() -> None:
    errors = errors_of(
        survey=[
            [
                "type",
                "name",
                "label::en",
                "label::English (en)",
                "tolerence",
                "correct",
                "hint::fr",
            ],
            ["select_one yn", "q1", "Consent?"],
        ],
        choices=[
            ["list_name", "name", "label::en", "correct"],
            ["yn", "y", "Yes", "right"],
            ["yn", "y", "Yes again"],
            [None, "n", "No"],
        ],
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 1, column 'label::English (en)': columns 'label::en' and "
        "'label::English (en)' hold the same thing",
        "tip.xlsx, sheet 'survey', row 1, column 'tolerence': unknown column; did you mean "
        "'tolerance'?",
        "tip.xlsx, sheet 'survey', row 1, column 'correct': correct belongs on sheet 'choices'; "
        "here, use answer",
        "tip.xlsx, sheet 'survey', row 1, column 'hint::fr': fr has no label column on sheet "
        "'survey'; add one there or remove this column",
        "tip.xlsx, sheet 'choices', row 2, column 'correct': 'right': put 1 for a correct choice, "
        "else nothing",
        "tip.xlsx, sheet 'choices', row 3, column 'name': list 'yn' already has a choice 'y'; "
        "rename one",
        "tip.xlsx, sheet 'choices', row 4, column 'list_name': the list_name is empty; fill it in",
    ]


def test_groups_must_be_closed_and_values_well_formed() -> None:
    errors = errors_of(
        survey=[
            ["type", "name", "label::en", "required", "points", "answer", "parameters"],
            ["begin group", "g1", "Section"],
            ["integer", "q1", "Victims?", "if needed", "two", "many"],
            ["range", "r", "Useful?", None, None, None, "start=1 end=9 step=2"],
            ["end repeat"],
            ["begin group", "g2"],
            ["text", None, "No name"],
        ]
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 2, column 'type': this group has no 'end group' row",
        "tip.xlsx, sheet 'survey', row 3, column 'required': required is 'if needed'; write yes or "
        "leave it empty (no conditions)",
        "tip.xlsx, sheet 'survey', row 3, column 'points': points is 'two'; give a number",
        "tip.xlsx, sheet 'survey', row 3, column 'answer': 'many': give a number",
        "tip.xlsx, sheet 'survey', row 4, column 'parameters': step=2: a Likert scale goes up by "
        "1; use step=1",
        "tip.xlsx, sheet 'survey', row 5, column 'type': 'end repeat' does not close a 'begin "
        "repeat' above it",
        "tip.xlsx, sheet 'survey', row 6, column 'type': this group has no 'end group' row",
        "tip.xlsx, sheet 'survey', row 7, column 'name': the name is empty; give the question a "
        "unique id, e.g. q1",
    ]


def test_a_file_that_is_not_a_workbook_is_refused_in_words() -> None:
    with pytest.raises(FormErrors) as caught:
        load_xlsform(b"id: not excel", "tip.xlsx")
    assert caught.value.errors[0].where == "tip.xlsx"
    assert "cannot read this file as an Excel workbook" in caught.value.errors[0].message


def test_no_survey_sheet_is_named() -> None:
    with pytest.raises(FormErrors, match="there is no sheet named 'survey'"):
        load_xlsform(workbook(questions=[["type"]]), "tip.xlsx")


# -- the template, the loaders and the CLI -----------------------------------------------------


def test_template_loads_back_as_a_valid_test_with_every_type() -> None:
    data = template_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        qs = load_xlsform(data, "template.xlsx")
    assert qs.kind == "test"
    assert qs.languages == ["en", "fr", "ar"]
    assert validate(qs) == []
    types = {q.type for q in qs.questions}
    assert types == {"single", "multiple", "truefalse", "number", "likert", "text", "note"}
    sheets = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert sheets == ["survey", "choices", "settings", "help"]


def test_load_bytes_reads_xlsx_end_to_end() -> None:
    data = workbook(survey=REAL_SURVEY, choices=REAL_CHOICES, settings=REAL_SETTINGS)
    qs = load_bytes(data, "Tip Test.XLSX")
    assert qs.id == "tip-som-knowledge"
    with pytest.raises(FormErrors) as caught:
        load_bytes(workbook(survey=REAL_SURVEY, choices=REAL_CHOICES[:3]), "tip.xlsx")
    assert [e.where for e in caught.value.errors] == [
        "tip.xlsx, sheet 'survey', row 7, column 'type'",
        "tip.xlsx, sheet 'settings'",
    ]


def test_cli_forms_check_accepts_xlsx(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(template_bytes())
    bad.write_bytes(workbook(survey=REAL_SURVEY, choices=REAL_CHOICES[:3], settings=REAL_SETTINGS))
    result = CliRunner().invoke(main, ["forms", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")
    result = CliRunner().invoke(main, ["forms", "check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}, sheet 'survey', row 7, column 'type': choice list 'means'" in result.stderr


def test_likert_appearance_needs_whole_number_names_else_stays_single() -> None:
    qs = load(
        survey=[
            ["type", "name", "label::en", "appearance"],
            ["select_one freq", "e1", "How often?", "likert"],
        ],
        choices=[["list_name", "name", "label::en"], ["freq", "never", "Never"], ["freq", "often", "Often"]],
    )  # fmt: skip
    assert qs.questions[0].type == "single"
    assert [c.id for c in qs.questions[0].choices] == ["never", "often"]


def test_range_labels_must_be_named_by_their_values() -> None:
    errors = errors_of(
        survey=[
            ["type", "name", "label::en", "parameters", "labels"],
            ["range", "e1", "Useful?", "start=1 end=5", "agree"],
            ["range", "e2", "Clear?", "start=1 end=5 to=9", "scale"],
        ],
        choices=[["list_name", "name", "label::en"], ["agree", "low", "Low"], ["agree", 5, "High"]],
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 3, column 'parameters': 'to=9': a range takes start, end "
        "and step, e.g. start=1 end=5",
        "tip.xlsx, sheet 'survey', row 3, column 'labels': choice list 'scale' is not defined on "
        "sheet 'choices'",
        "tip.xlsx, sheet 'choices', row 2, column 'name': list 'agree' labels a range: name its "
        "choices 1, 2, ...",
    ]


CELLS = st.sampled_from(
    [None, "", "text", "note", "integer", "range", "select_one yn", "select_multiple yn", "yes",
     "begin group", "end group", "begin repeat", "q1", "q2", "1", "2.5", "y", "n", "start=1 end=3",
     "likert", "true", "x y", "geopoint", "label::fr", 7, 0.5, True]
)  # fmt: skip
HEADERS = ["type", "name", "label::en", "required", "answer", "parameters", "appearance", "points"]


@settings(max_examples=60, deadline=None)
@given(
    survey=st.lists(st.lists(CELLS, max_size=len(HEADERS)), max_size=8),
    choices=st.lists(st.lists(CELLS, max_size=4), max_size=5),
)
def test_any_grid_of_cells_loads_or_fails_with_placed_errors(
    survey: list[list[Any]], choices: list[list[Any]]
) -> None:
    try:
        qs = load(
            survey=[HEADERS, *survey],
            choices=[["list_name", "name", "label::en", "correct"], *choices],
        )
    except FormErrors as exc:
        assert exc.errors
        assert all(e.where.startswith("tip.xlsx, sheet '") for e in exc.errors)
    else:
        assert validate(qs) == []
