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
from forms.public import public_view
from forms.scoring import check_and_score, check_answers
from forms.validate import validate
from forms.xlsform import load_xlsform, read_xlsform
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


def test_plain_label_without_a_default_language_is_english_and_said() -> None:
    qs, warnings = read_xlsform(
        workbook(survey=[["type", "name", "label"], ["text", "c", "Comments"]], settings=SETTINGS),
        "tip.xlsx",
    )
    assert qs.languages == ["en"]
    assert qs.questions[0].text == {"en": "Comments"}
    assert [f"{w.where}: {w.message}" for w in warnings] == [
        "tip.xlsx, sheet 'survey', row 1, column 'label': taken to be in English (en); if it is "
        "in another language, give default_language on sheet 'settings', e.g. French (fr)"
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
            ["integer", "q1", "Age?"],
            ["geopoint", "where", "Where?"],
        ]
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 7, column 'type': Tadrib does not support geopoint "
        "(location) questions; remove these rows or ask in another way"
    ]
    qs = load(survey=[["type", "name", "label::en"], ["start", "start"], ["integer", "q1", "Age?"]])
    assert [q.id for q in qs.questions] == ["q1"]


def test_excel_booleans_and_numbers_read_as_pyxform_reads_them() -> None:
    qs = load(
        survey=[["type", "name", "label::en", "answer"], ["select_one tf", "q", "Domestic?", True]],
        choices=[["list_name", "name", "label::en"], ["tf", True, "True"], ["tf", False, "False"]],
        settings=[["form_id", "version", "form_title"], ["f", 2019.1, "T"]],
    )
    assert qs.version == "2019.1"
    assert [(c.id, c.correct) for c in qs.questions[0].choices] == [
        ("TRUE", True),
        ("FALSE", False),
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


def test_unknown_types_and_unsupported_features_are_reported_together_grouped() -> None:
    errors = errors_of(
        survey=[
            ["type", "name", "label::en", "relevant", "calculation", "media::image::en"],
            ["select_one yn", "q1", "Consent?"],
            ["singel", "q2", "Q2"],
            ["geopoint", "where", "Where?"],
            ["image", "photo1", "Photo?"],
            ["image", "photo2", "Another?"],
            ["integer", "q3", "Age", "${q1} = 'yes'"],
            ["calculate", "c", None, None, "pulldata('a', 'b', 'c', 'd')"],
            ["note", "pic", "Look", None, None, "map.png"],
            ["begin repeat", "people"],
            ["text", "name", "Name"],
            ["end repeat"],
            ["rank yn", "q4", "Q4"],
        ],
        choices=[["list_name", "name", "label::en"], ["yn", "y", "Yes"], ["yn", "n", "No"]],
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 3, column 'type': unknown type 'singel'; did you mean "
        "'select_one'?",
        "tip.xlsx, sheet 'survey', row 4, column 'type': Tadrib does not support geopoint "
        "(location) questions; remove these rows or ask in another way",
        "tip.xlsx, sheet 'survey', rows 5 and 6, column 'type': Tadrib does not support image "
        "questions; remove these rows or ask in another way",
        "tip.xlsx, sheet 'survey', row 8, column 'calculation': Tadrib does not support "
        "pulldata(); remove it from this row",
        "tip.xlsx, sheet 'survey', row 10, column 'type': Tadrib does not support repeats; remove "
        "these rows or ask in another way",
        "tip.xlsx, sheet 'survey', row 13, column 'type': Tadrib does not support rank questions; "
        "remove these rows or ask in another way",
    ]


def test_hundreds_of_refused_rows_give_one_message() -> None:
    rows = [["image", f"p{i}", f"Photo {i}?"] for i in range(300)]
    errors = errors_of(survey=[["type", "name", "label::en"], *rows])
    assert errors == [
        "tip.xlsx, sheet 'survey', rows 2, 3, 4, 5, 6 and 295 more, column 'type': Tadrib does "
        "not support image questions; remove these rows or ask in another way"
    ]


def test_pyxform_refusals_are_placed_on_their_row() -> None:
    errors = errors_of(survey=[["type", "name", "label::en"], ["select_one yesno", "q1", "Consent?"]],
                       choices=[["list_name", "name", "label::en"], ["yn", "y", "Yes"]])  # fmt: skip
    assert errors == ["tip.xlsx, sheet 'survey', row 2: List name not in choices sheet: yesno"]


def test_missing_translations_fall_back_to_the_default_language_with_a_warning() -> None:
    data = workbook(
        survey=[
            ["type", "name", EN, FR, "hint::English (en)"],
            ["select_one yn", "q1", "Consent?", "Consentement ?"],
            ["text", "q2", "Comments", None, "Anything"],
            ["text", "q3", "More", None],
        ],
        choices=[["list_name", "name", EN, FR], ["yn", "y", "Yes", "Oui"], ["yn", "n", "No"]],
        settings=SETTINGS,
    )
    qs, warnings = read_xlsform(data, "tip.xlsx")
    assert qs.questions[1].text == {"en": "Comments", "fr": "Comments"}
    assert qs.questions[1].hint == {"en": "Anything", "fr": "Anything"}
    assert [f"{w.where}: {w.message}" for w in warnings] == [
        "tip.xlsx, sheet 'survey', rows 3 and 4, column 'label': no French (fr) text; the English "
        "(en) text is shown instead",
        "tip.xlsx, sheet 'survey', row 3, column 'hint': no French (fr) text; the English (en) "
        "text is shown instead",
        "tip.xlsx, sheet 'choices', row 3, column 'label': no French (fr) text; the English (en) "
        "text is shown instead",
    ]


def test_bad_settings_are_reported_on_their_cells() -> None:
    errors = errors_of(
        survey=[["type", "name", "label::en", "answer"], ["integer", "q", "Victims?", 27]],
        settings=[
            ["form_id", "version", "form_title", "kind", "pass_mark", "default_language"],
            ["tip test!", "1", None, "quiz", "most", "Klingon"],
        ],
    )
    assert errors == [
        "tip.xlsx, sheet 'settings', row 2, column 'default_language': which language is "
        "'Klingon'? Write e.g. 'French (fr)'",
        "tip.xlsx, sheet 'settings', row 2, column 'kind': kind is 'quiz'; use test or evaluation",
        "tip.xlsx, sheet 'settings', row 2, column 'pass_mark': pass_mark is 'most'; give a "
        "percent, e.g. 70",
    ]


def test_no_version_makes_one_from_the_content_and_says_so() -> None:
    survey = [["type", "name", "label::en"], ["text", "c", "Comments"]]
    settings = [["form_id", "form_title"], ["f", "Feedback"]]
    qs, warnings = read_xlsform(workbook(survey=survey, settings=settings), "f.xlsx")
    again, _ = read_xlsform(workbook(survey=survey, settings=settings), "f.xlsx")
    changed, _ = read_xlsform(
        workbook(survey=[*survey, ["text", "d", "More"]], settings=settings), "f.xlsx"
    )
    assert qs.version.startswith("auto-") and qs.version == again.version != changed.version
    assert validate(qs) == []
    assert [w.where for w in warnings] == ["f.xlsx, sheet 'settings', column 'version'"]
    assert f"this content is version {qs.version!r}" in warnings[0].message


def test_without_settings_the_id_comes_from_the_file_and_the_title_from_the_id() -> None:
    data = workbook(survey=[["type", "name", "label::en"], ["text", "c", "C"]])
    qs = load_xlsform(data, "My Feedback Form.xlsx")
    assert (qs.id, qs.title) == ("my-feedback-form", {"en": "my-feedback-form"})


def test_model_validation_errors_point_at_sheet_rows() -> None:
    errors = errors_of(
        survey=[
            ["type", "name", "label::en", "points", "answer", "parameters", "labels"],
            ["select_one yn", "q1", "Consent?"],
            ["select_one yn", "q2", "Again?", None, "y"],
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
            ["type", "name", "label::en", "tolerence", "correct"],
            ["select_one yn", "q1", "Consent?"],
        ],
        choices=[
            ["list_name", "name", "label::en", "correct"],
            ["yn", "y", "Yes", "right"],
            ["yn", "n", "No"],
        ],
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 1, column 'tolerence': unknown column; did you mean "
        "'tolerance'?",
        "tip.xlsx, sheet 'survey', row 1, column 'correct': correct belongs on sheet 'choices'; "
        "here, use answer",
        "tip.xlsx, sheet 'choices', row 2, column 'correct': 'right': put 1 for a correct choice, "
        "else nothing",
    ]


def test_groups_must_be_closed_and_values_well_formed() -> None:
    assert errors_of(
        survey=[["type", "name", "label::en"], ["begin group", "g1", "Section"], ["text", "t", "T"]]
    ) == [
        "tip.xlsx, sheet 'survey', row 2: Unmatched 'begin_group'. No matching 'end_group' was "
        "found for the name 'g1'."
    ]
    assert errors_of(
        survey=[
            ["type", "name", "label::en", "points", "answer"],
            ["begin group", "g1", "Section"],
            ["integer", "q1", "Victims?", "two", "many"],
            ["end group"],
        ]
    ) == [
        "tip.xlsx, sheet 'survey', row 3, column 'points': points is 'two'; give a number",
        "tip.xlsx, sheet 'survey', row 3, column 'answer': 'many': give a number",
    ]


def test_a_file_that_is_not_a_workbook_is_refused_in_words() -> None:
    with pytest.raises(FormErrors) as caught:
        load_xlsform(b"id: not excel", "tip.xlsx")
    assert caught.value.errors[0].where == "tip.xlsx"
    assert "cannot read this file as an Excel workbook" in caught.value.errors[0].message


def test_no_survey_sheet_is_named() -> None:
    with pytest.raises(FormErrors, match="You must have a sheet named 'survey'"):
        load_xlsform(workbook(questions=[["type"]], settings=SETTINGS), "tip.xlsx")


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
    assert types == {"single", "multiple", "truefalse", "number", "likert", "text", "note", "date"}
    trained_by = next(q for q in qs.questions if q.id == "trained_by")
    assert trained_by.relevant == "${trained_on} != ''"
    sheets = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert sheets == ["survey", "choices", "settings", "help"]


def test_load_bytes_reads_xlsx_end_to_end() -> None:
    data = workbook(survey=REAL_SURVEY, choices=REAL_CHOICES, settings=REAL_SETTINGS)
    qs = load_bytes(data, "Tip Test.XLSX")
    assert qs.id == "tip-som-knowledge"
    with pytest.raises(FormErrors) as caught:
        load_bytes(workbook(survey=REAL_SURVEY, choices=REAL_CHOICES[:3]), "tip.xlsx")
    assert [e.where for e in caught.value.errors] == ["tip.xlsx, sheet 'survey', row 7"]


def test_cli_forms_check_accepts_xlsx(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(template_bytes())
    bad.write_bytes(workbook(survey=REAL_SURVEY, choices=REAL_CHOICES[:3], settings=REAL_SETTINGS))
    result = CliRunner().invoke(main, ["forms", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")
    result = CliRunner().invoke(main, ["forms", "check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}, sheet 'survey', row 7: List name not in choices sheet: means" in result.stderr


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
            ["range", "e2", "Clear?", "start=1 end=5", "scale"],
        ],
        choices=[["list_name", "name", "label::en"], ["agree", "low", "Low"], ["agree", 5, "High"]],
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 3, column 'labels': choice list 'scale' is not defined on "
        "sheet 'choices'",
        "tip.xlsx, sheet 'choices', row 2, column 'name': list 'agree' labels a range: name its "
        "choices 1, 2, ...",
    ]


def test_a_range_too_long_for_a_likert_scale_is_a_bounded_number() -> None:
    qs = load(
        survey=[
            ["type", "name", "label::en", "parameters"],
            ["range", "r", "Percent?", "start=0 end=100 step=10"],
        ]
    )
    (r,) = qs.questions
    assert (r.type, r.scale, r.constraint) == (
        "number",
        None,
        ". >= 0 and . <= 100 and (. - 0) mod 10 = 0",
    )


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


# -- XLSForm logic and the newer types ------------------------------------------------------


def test_logic_columns_and_new_types_are_kept_for_the_phone() -> None:
    qs = load(
        survey=[
            ["type", "name", "label::en", "relevant", "constraint", "constraint_message::en",
             "required", "required_message::en", "calculation", "choice_filter", "default",
             "read_only", "appearance", "parameters"],
            ["select one from yn", "consent", "Consent?", None, None, None, "yes", "Please answer"],
            ["begin group", "about", "About you", "${consent} = 'y'", None, None, None, None, None,
             None, None, None, "field-list"],
            ["integer", "age", "Age?", None, ". >= 18", "Adults only", "${consent} = 'y'"],
            ["date", "born", "Born?", "${age} > 0"],
            ["end group"],
            ["time", "at", "Time?"],
            ["dateTime", "when", "When?", None, None, None, None, None, None, None, "2019-01-07T09:00"],
            ["calculate", "double", None, None, None, None, None, None, "${age} * 2"],
            ["acknowledge", "ok", "I understand"],
            ["select all that apply from city", "cities", "Cities?", None, None, None, None, None,
             None, "region = ${consent}", None, "yes", "minimal", "randomize=true"],
            ["string", "note2", "Anything else?"],
            ["today", "today"],
        ],
        choices=[
            ["list_name", "name", "label::en", "region"],
            ["yn", "y", "Yes"],
            ["yn", "n", "No"],
            ["city", "rabat", "Rabat", "y"],
            ["city", "père", "Père", "n"],
            ["city", "-99", "Don't know", "y"],
        ],
    )  # fmt: skip
    by_id = {q.id: q for q in qs.questions}
    assert [q.type for q in qs.questions] == [
        "single", "number", "date", "time", "datetime", "calculate", "acknowledge", "multiple", "text"
    ]  # fmt: skip
    consent, age, born = by_id["consent"], by_id["age"], by_id["born"]
    assert (consent.required, consent.required_message) == (True, {"en": "Please answer"})
    # A group's relevance is its questions' relevance.
    assert age.relevant == "${consent} = 'y'"
    assert born.relevant == "(${consent} = 'y') and (${age} > 0)"
    assert (age.constraint, age.constraint_message) == (". >= 18", {"en": "Adults only"})
    assert (age.required, age.required_if) == (False, "${consent} = 'y'")
    assert by_id["when"].default == "2019-01-07T09:00"
    assert by_id["double"].calculation == "${age} * 2"
    assert by_id["double"].text == {}
    cities = by_id["cities"]
    assert (cities.choice_filter, cities.read_only, cities.appearance, cities.randomize) == (
        "region = ${consent}",
        True,
        "minimal",
        True,
    )
    assert [(c.id, c.data) for c in cities.choices] == [
        ("rabat", {"region": "y"}), ("père", {"region": "n"}), ("-99", {"region": "y"})
    ]  # fmt: skip
    assert validate(qs) == []
    phone = public_view(qs)["questions"]
    assert phone[1]["relevant"] == "${consent} = 'y'"
    assert phone[7]["choices"][1] == {"id": "père", "text": {"en": "Père"}, "data": {"region": "n"}}


def test_metadata_an_expression_uses_is_recorded_as_a_calculation() -> None:
    qs = load(
        survey=[
            ["type", "name", "label::en", "constraint"],
            ["today", "today"],
            ["deviceid", "device"],
            ["date", "visit", "Visit?", ". <= ${today}"],
        ]
    )
    assert [(q.id, q.type, q.calculation) for q in qs.questions] == [
        ("today", "calculate", "today()"),
        ("visit", "date", None),
    ]


def test_refused_features_outside_the_survey_type_column_are_named() -> None:
    errors = errors_of(
        survey=[
            ["type", "name", "label::en", "appearance", "calculation"],
            ["select_one yn", "q1", "Q1?", "search('places')"],
            ["select_one_from_file places.csv", "q2", "Q2?"],
            ["calculate", "c", None, None, "pulldata('places', 'name', 'id', ${q1})"],
        ],
        choices=[["list_name", "name", "label::en"], ["yn", "y", "Yes"], ["yn", "n", "No"]],
        entities=[["list_name", "label"], ["trees", "${q1}"]],
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 2, column 'appearance': Tadrib does not support search(); "
        "remove it from this row",
        "tip.xlsx, sheet 'survey', row 3, column 'type': Tadrib does not support selects from a "
        "file (select_one_from_file, select_multiple_from_file); remove these rows or ask in "
        "another way",
        "tip.xlsx, sheet 'survey', row 4, column 'calculation': Tadrib does not support "
        "pulldata(); remove it from this row",
        "tip.xlsx, sheet 'entities', row 2: Tadrib does not support entities (the 'entities' "
        "sheet); remove the sheet",
    ]


def test_a_formula_without_a_saved_value_is_reported_as_one() -> None:
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    for row in [["type", "name", "label::en"], ["text", "q", '=CONCAT("Na", "me?")']]:
        survey.append(row)
    out = io.BytesIO()
    book.save(out)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FormErrors) as caught:
            load_xlsform(out.getvalue(), "f.xlsx")
    assert next(f"{e.where}: {e.message}" for e in caught.value.errors) == (
        "f.xlsx, sheet 'survey', row 2, column 'C': holds the formula "
        '=CONCAT("Na", "me?") with no saved value, so it reads as empty; open the file in Excel '
        "or LibreOffice and save it, or type the value"
    )


@pytest.mark.parametrize(
    ("qtype", "good", "bad"),
    [
        ("date", "2019-01-07", "07/01/2019"),
        ("time", "09:30:00.000+01:00", "25:00"),
        ("datetime", "2019-01-07T09:30:00Z", "2019-01-07"),
        ("calculate", "42", ["42"]),
        ("acknowledge", "OK", "yes"),
    ],
)
def test_answers_to_the_new_types_are_checked(qtype: str, good: object, bad: object) -> None:
    survey = [["type", "name", "label::en", "calculation"], [qtype, "q", "Q?", "1 + 1"]]
    qs = load(survey=[*survey, ["integer", "n", "N?"]])
    assert check_answers(qs, {"q": good}) == []
    assert check_answers(qs, {"q": bad})[0].startswith("Question 'q': needs")


def test_expressions_that_cannot_be_read_or_refer_to_nothing_are_placed() -> None:
    errors = errors_of(
        survey=[
            ["type", "name", "label::en", "relevant", "constraint"],
            ["integer", "age", "Age?", None, ". >= 18 and"],
            ["text", "city", "City?", "age > 18"],
        ]
    )
    assert errors == [
        "tip.xlsx, sheet 'survey', row 2, column 'constraint': constraint '. >= 18 and' cannot be "
        "read: the expression ends too early",
        "tip.xlsx, sheet 'survey', row 3, column 'relevant': relevant: 'age' is not a question; "
        "write ${age}",
    ]


def test_type_aliases_pyxform_knows_are_understood() -> None:
    qs = load(
        survey=[
            ["type", "name", "label:English"],
            ["string", "s", "Name?"],
            ["int", "i", "Age?"],
            ["imei", "device"],
            ["select one from yn", "c", "OK?"],
            ["select all that apply from yn", "m", "Which?"],
            ["select_one yn or_other", "o", "Other?"],
        ],
        choices=[["list_name", "name", "label:English"], ["yn", "y", "Yes"], ["yn", "n", "No"]],
    )
    assert qs.languages == ["en"]
    assert [(q.id, q.type) for q in qs.questions] == [
        ("s", "text"), ("i", "number"), ("c", "single"), ("m", "multiple"), ("o", "single"),
        ("o_other", "text"),
    ]  # fmt: skip
    assert qs.questions[-1].relevant == "selected(../o, 'other')"
    assert errors_of(survey=[["type", "name", "label::en"], ["gps", "where", "Where?"]]) == [
        "tip.xlsx, sheet 'survey', row 2, column 'type': Tadrib does not support geopoint (location) "
        "questions; remove these rows or ask in another way"
    ]


def test_cli_check_prints_what_was_assumed(tmp_path: Path) -> None:
    path = tmp_path / "feedback.xlsx"
    path.write_bytes(workbook(survey=[["type", "name", "label"], ["text", "c", "Comments"]]))
    result = CliRunner().invoke(main, ["forms", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert f"warning: {path}, sheet 'survey', row 1, column 'label': taken to be in English" in (
        result.stderr
    )
    assert result.stdout.startswith("ok: feedback version auto-")


def test_a_required_question_shown_only_under_a_condition_may_be_left_unanswered() -> None:
    qs = load(
        survey=[
            ["type", "name", "label::en", "required", "relevant"],
            ["integer", "age", "Age?", "yes"],
            ["text", "school", "School?", "yes", "${age} < 18"],
        ]
    )
    assert check_answers(qs, {"age": 30}) == []
    assert check_and_score(qs, {"age": 30}).score is None
    assert check_answers(qs, {}) == ["Question 'age' is required but was not answered."]
