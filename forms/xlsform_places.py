"""Where in a workbook a problem is: its sheet, Excel row and column, in the spreadsheet's words.

Validation speaks of paths in the question set (`questions[3].choices[1].text`); once reading is
done, a `Layout` knows which rows each question came from and moves those errors back onto them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from forms.errors import FormError
from forms.model import QuestionSet, Text
from forms.xlsform_sheets import language_name

#: Validation speaks YAML; the same fixes in a spreadsheet's words.
_REWORDS = (
    ("mark one with `correct: true`", "put 1 in its correct cell on sheet 'choices', or name it "
     "in this row's answer"),
    ("mark at least one with `correct: true`", "put 1 in their correct cells on sheet "
     "'choices', or name them in this row's answer"),
    ("add `answer: true` or `answer: false`", "put true or false in its answer cell"),
    ("add the right number, e.g. `answer: 18`", "put the right number in its answer cell"),
    ("or use `type: multiple`", "or make it a select_multiple"),
    ("or make this set `kind: evaluation`", "or set kind to evaluation on sheet 'settings'"),
)  # fmt: skip

#: A validation error placed on the sheet, with what tells whether an earlier report explains it.
Placed = tuple[FormError, tuple[int | None, str, str | None]]


def where(filename: str, sheet: str, row: int | None = None, column: str | None = None) -> str:
    """ "form.xlsx, sheet 'survey', row 14, column 'label'", as far as it is known."""
    parts = [filename, f"sheet '{sheet}'"]
    parts += [f"row {row}"] if row is not None else []
    return ", ".join(parts + ([f"column '{column}'"] if column else []))


@dataclass
class Places:
    """The rows a question was read from, to place its validation errors."""

    question: int
    choices: list[int] = field(default_factory=list)
    labels: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Layout:
    """What reading a workbook learnt about where things are in it.

    `places` holds one entry per question of the set, in order; `absent` the (sheet, column,
    language) text columns already reported missing; `names` each language as the author wrote it.
    """

    filename: str
    survey: str
    choices: str
    settings: str
    settings_row: int | None
    languages: list[str]
    names: dict[str, str]
    absent: set[tuple[str, str, str]]
    places: list[Places]

    def place(self, e: FormError, qs: QuestionSet) -> Placed | None:
        """A validation error moved from its path in the document to its sheet, row and column."""
        message = e.message
        for yaml_words, sheet_words in _REWORDS:
            message = message.replace(yaml_words, sheet_words)
        found = re.fullmatch(r"questions\[(\d+)\]\.?(.*)", e.where)
        if found is None:
            return self._place_set(e.where, message, qs)
        q, places, rest = qs.questions[int(found[1])], self.places[int(found[1])], found[2]
        sheet, column, text = self.survey, None, None
        row: int | None = places.question
        if choice := re.fullmatch(r"choices\[(\d+)\]\.?(\w*)", rest):
            j, part = int(choice[1]), choice[2]
            sheet, row = self.choices, places.choices[j]
            column = {"id": "name", "text": "label", "": None}.get(part, part)
            text = q.choices[j].text if part == "text" else None
        elif (label := re.fullmatch(r"scale\.labels\[(-?\d+)\]", rest)) and q.scale:
            value = int(label[1])
            sheet, row, column = self.choices, places.labels.get(value), "label"
            text = q.scale.labels.get(value)
        elif rest in ("text", "hint"):
            column, text = "label" if rest == "text" else "hint", getattr(q, rest)
        elif rest:
            column = {
                "id": "name", "scale": "parameters", "choices": "type", "required_if": "required"
            }.get(rest, rest)  # fmt: skip
        if text is not None and column and message.startswith("missing the"):
            if (missing := self._missing(text, sheet, column)) is None:
                return None
            message = missing
        return FormError(where(self.filename, sheet, row, column), message), (row, sheet, None)

    def _place_set(self, path: str, message: str, qs: QuestionSet) -> Placed:
        head = re.split(r"[.\[]", path)[0]
        if head in ("languages", "questions", ""):
            row = 1 if head == "languages" else None
            at = where(self.filename, self.survey, row)
            return FormError(at, message), (row, self.survey, head or "questions")
        row = self.settings_row
        column = {"id": "form_id", "title": "form_title"}.get(head, head)
        text = {"title": qs.title, "description": qs.description}.get(head)
        if text is not None and message.startswith("missing the"):
            message = self._missing(text, self.settings, column) or message
        at = where(self.filename, self.settings, row, column)
        return FormError(at, message), (row, self.settings, column)

    def _missing(self, text: Text, sheet: str, column: str) -> str | None:
        """Which translations a text lacks, or None when a missing column says it already."""
        langs = [lang for lang in self.languages if lang not in text]
        if not (langs := [lang for lang in langs if (sheet, column, lang) not in self.absent]):
            return None
        every = ", ".join(language_name(lang, self.names) for lang in self.languages)
        missing = " and ".join(language_name(lang, self.names) for lang in langs)
        return f"the {missing} {column} is empty; fill it in (every text needs {every})"
