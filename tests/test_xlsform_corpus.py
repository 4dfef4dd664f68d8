"""Real workbooks written by others (tests/data/xlsforms/SOURCES.md): each imports, or is refused
with the feature named on its sheet and row."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.errors import FormErrors
from forms.validate import validate
from forms.xlsform import read_xlsform

CORPUS = Path(__file__).parent / "data" / "xlsforms"

#: Workbook -> number of questions imported.
ACCEPTED = {
    "correlaid__mitwirken_umfrage.xlsx": 42,
    "correlaid__testA.xlsx": 24,
    "correlaid__testB.xlsx": 48,
    "jxlsform__allsheets.xlsx": 1,
    "jxlsform__simplest.xlsx": 1,
    "jxlsform__usedchoices.xlsx": 2,
    "odkoffline__pyxform-clean.xlsx": 2,
    "odkoffline__pyxform-warning.xlsx": 2,
    "pyxform__bug_example_xls__ODKValidateWarnings.xlsx": 3,
    "pyxform__bug_example_xls__xl_date_ambiguous_v1.xlsx": 5,
    "pyxform__example_xls__choice_filter_test.xlsx": 3,
    "pyxform__example_xls__extra_columns.xlsx": 1,
    "pyxform__example_xls__extra_sheet_names.xlsx": 1,
    "pyxform__example_xls__field-list.xlsx": 1,
    "pyxform__example_xls__group.xlsx": 3,
    "pyxform__example_xls__or_other.xlsx": 3,
    "pyxform__example_xls__specify_other.xlsx": 2,
    "pyxform__example_xls__survey_no_name.xlsx": 1,
    "pyxform__example_xls__text_and_integer.xlsx": 2,
    "pyxform__example_xls__yes_or_no_question.xlsx": 1,
    "unhcr__KoBoXLSFormExamples.xlsx": 15,  # two notes named 'fourteen', in groups P14 and P15
}

_REPEATS = "Tadrib does not support repeats"
#: Workbook -> (place of the first error, what it says), the feature or the fault named.
REFUSED = {
    "correlaid__all_types_survey.xlsx": (
        "sheet 'survey', rows 22 and 42, column 'type'",
        "Tadrib does not support rank questions",
    ),
    "jxlsform__earlyendgroup.xlsx": ("sheet 'survey', row 3", "Unmatched 'end_group'"),
    "jxlsform__earlyendrepeat.xlsx": ("sheet 'survey', row 3", "Unmatched 'end_repeat'"),
    "jxlsform__groups.xlsx": ("sheet 'survey'", "the set has no questions"),
    "jxlsform__groupsandrepeats.xlsx": ("sheet 'survey', row 3, column 'type'", _REPEATS),
    "jxlsform__repeats.xlsx": ("sheet 'survey', row 2, column 'type'", _REPEATS),
    "jxlsform__simple_no_translations.xlsx": ("sheet 'survey', row 12, column 'type'", _REPEATS),
    "jxlsform__unclosedgroup.xlsx": ("sheet 'survey', row 2", "Unmatched 'begin_group'"),
    "odkoffline__external-itemsets.xlsx": (
        "sheet 'survey', rows 3 and 4, column 'type'",
        "Tadrib does not support external selects (select_one_external)",
    ),
    "odkoffline__pyxform-error.xlsx": (
        "sheet 'survey', row 2, column 'type'",
        "unknown type 'textX'; did you mean 'text'?",
    ),
    "odkoffline__validate-error.xlsx": (
        "sheet 'survey', row 4, column 'calculation'",
        "cannot be read: unknown function concatx()",
    ),
    "pyxform__bug_example_xls__bad_calc.xlsx": (
        "sheet 'survey', row 2, column 'calculation'",
        'calculation "because pyxform doesn\'t know what to do" cannot be read',
    ),
    "pyxform__bug_example_xls__xl_date_ambiguous.xlsx": (
        "sheet 'survey', row 5, column 'choice_filter'",
        "choice_filter \"label::English != ''\" cannot be read",
    ),
    "opengis__service_rating.xlsx": (
        "sheet 'survey', row 4, column 'type'",
        "Tadrib does not support geopoint",
    ),
    "pyxform__bug_example_xls__UCL_Biomass_Plot_Form.xlsx": (
        "sheet 'survey', rows 16, 17, 18 and 20, column 'type'",
        "Tadrib does not support selects from a file",
    ),
    "pyxform__bug_example_xls__duplicate_columns.xlsx": ("", "Duplicate column header: label"),
    "pyxform__example_xls__attribute_columns_test.xlsx": (
        "sheet 'survey', row 15, column 'type'",
        _REPEATS,
    ),
    "pyxform__example_xls__case_insensitivity.xlsx": (
        "sheet 'SURVEY', row 3, column 'type'",
        "Tadrib does not support external selects",
    ),
    "pyxform__example_xls__flat_xlsform_test.xlsx": (
        "sheet 'survey', row 34, column 'type'",
        "Tadrib does not support geopoint",
    ),
    "pyxform__example_xls__include.xlsx": (
        "sheet 'survey', row 3, column 'type'",
        "unknown type 'include'",
    ),
    "pyxform__example_xls__include_json.xlsx": (
        "sheet 'survey', row 2, column 'type'",
        "unknown type 'include'",
    ),
    "pyxform__example_xls__loop.xlsx": ("sheet 'survey', row 3, column 'type'", _REPEATS),
    "pyxform__example_xls__pull_data.xlsx": (
        "sheet 'survey', row 2, column 'calculation'",
        "Tadrib does not support pulldata()",
    ),
    "pyxform__example_xls__xlsform_spec_test.xlsx": (
        "sheet 'survey', row 15, column 'type'",
        _REPEATS,
    ),
    "unhcr__demo.xlsx": ("sheet 'choices', row 7", "Choice names must be unique"),
    "unhcr__demo_adapt1.xlsx": ("sheet 'choices', row 7", "Choice names must be unique"),
    "xlsform2json__duplicate_variable_name.xlsx": (
        "sheet 'survey', row 4",
        "the 'name' value 'name' is invalid",
    ),
    "xlsform2json__invalid_input.xlsx": (
        "sheet 'settings', row 2",
        "the 'instance_name' value is invalid",
    ),
    "xlsform2json__invalid_variable_naming.xlsx": (
        "sheet 'survey', row 3",
        "Names must begin with a letter or underscore",
    ),
    "xlsform2json__no_name.xlsx": ("sheet 'survey', row 3", "Question or group with no name"),
    "xlsform2json__no_settings.xlsx": ("sheet 'survey', row 15, column 'type'", _REPEATS),
    "xlsform2json__no_type.xlsx": ("sheet 'survey', row 3", "Question with no type"),
}


def test_the_tables_cover_the_whole_corpus() -> None:
    on_disk = {path.name for path in CORPUS.glob("*.xlsx")}
    assert on_disk == ACCEPTED.keys() | REFUSED.keys()
    sources = (CORPUS / "SOURCES.md").read_text()
    assert all(f"`{name}`" in sources for name in on_disk)


@pytest.mark.parametrize(("name", "count"), sorted(ACCEPTED.items()))
def test_real_workbook_imports(name: str, count: int) -> None:
    qs, _ = read_xlsform((CORPUS / name).read_bytes(), name)
    assert len(qs.questions) == count
    assert validate(qs) == []


@pytest.mark.parametrize(("name", "expected"), sorted(REFUSED.items()))
def test_real_workbook_is_refused_naming_the_feature_and_row(
    name: str, expected: tuple[str, str]
) -> None:
    with pytest.raises(FormErrors) as caught:
        read_xlsform((CORPUS / name).read_bytes(), name)
    first = caught.value.errors[0]
    place, message = expected
    assert first.where == ", ".join(p for p in (name, place) if p)
    assert message in first.message
    assert len(caught.value.errors) <= 10
