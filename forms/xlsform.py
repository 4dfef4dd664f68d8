"""Reads an XLSForm workbook (.xlsx) into a question set; every error names its sheet and Excel row.

Mapping decisions (docs/question-sets.md gives the rest):

- `select_one L` -> single, `select_multiple L` -> multiple, with the choices of list L. A
  `select_one` with appearance `likert` whose choice names are whole numbers -> likert labelled by
  the list (ODK's way to draw a Likert item). A select_one on a yes/no list stays single: the
  author's labels are kept, and it scores as a truefalse question would.
- `integer`, `decimal` -> number. `range` -> likert over `parameters` start..end (defaults 1 and
  10; step must be 1); the optional `labels` column names a choices list whose names are the
  values (1, 2, ...); without it the phone shows the bare numbers.
- `text`, `note`; `truefalse` is Tadrib's own type (not XLSForm), keyed by `answer` true/false.
- Groups are flattened; a question without a `topic` takes the name of its innermost group.
- Metadata rows (start, end, today, deviceid, ...) are skipped: phones record times themselves.
- Languages are those of the survey's label columns, the default first; a plain `label` or `hint`
  is in settings' `default_language`, which it then needs. A plain `form_title` serves every
  language without a `form_title::...` of its own.
- `answer` (choice names separated by spaces, a number, or true/false) overrides `correct`.
- `kind` defaults to test when any key is given, else evaluation; `form_id` defaults to the file
  name, as in XLSForm. `partial` (yes) and settings `description` are Tadrib extras.

Unsupported types and columns (repeats, relevant, constraint, calculate, media, ...) are errors
naming them when they hold a value; columns XLSForm does not know are ignored unless they look like
a misspelt known one.

This module maps rows into the model; `forms.xlsform_sheets` reads the workbook into located rows
and `forms.xlsform_places` puts validation errors back on them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from forms.errors import FormError, FormErrors
from forms.model import Choice, Kind, Question, QuestionSet, QuestionType, Scale, Text
from forms.validate import validate
from forms.xlsform_places import Layout, Places, where
from forms.xlsform_sheets import (
    MAX_ROWS,
    Column,
    Row,
    Sheet,
    cell_flag,
    cell_number,
    language,
    language_name,
    read_workbook,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TYPES = (
    "select_one",
    "select_multiple",
    "integer",
    "decimal",
    "range",
    "text",
    "note",
    "truefalse",
)

_TYPE_MAP: dict[str, QuestionType] = {
    "select_one": "single",
    "select_multiple": "multiple",
    "integer": "number",
    "decimal": "number",
    "range": "likert",
    "text": "text",
    "note": "note",
    "truefalse": "truefalse",
}
#: What an unknown type may have meant, Tadrib's own names included.
_SUGGEST = {t: t for t in TYPES} | {
    "single": "select_one",
    "multiple": "select_multiple",
    "number": "integer",
    "likert": "range",
    "begin_group": "begin group",
    "end_group": "end group",
}
#: ODK metadata: recorded without being asked; Tadrib records start and end times itself.
_METADATA = _words(
    "start end today deviceid subscriberid simserial phonenumber username email audit"
)
_UNSUPPORTED_TYPES = _words(
    """calculate acknowledge geopoint geotrace geoshape date time datetime image audio video file
    barcode hidden xml-external csv-external rank select_one_from_file select_multiple_from_file
    select_one_external trigger background-audio background-geopoint start-geopoint osm"""
)
#: Columns that change what a form does: a value in one is an error, never ignored.
_UNSUPPORTED_COLUMNS = {
    "relevant": "skip logic (relevant)",
    "constraint": "constraints",
    "calculation": "calculations",
    "choice_filter": "choice filters",
    "repeat_count": "repeats",
    "default": "default answers",
    "read_only": "read-only questions",
    "trigger": "triggers",
    "media": "media (images, audio, video)",
    "image": "images",
    "big-image": "images",
    "audio": "audio",
    "video": "video",
    "body": "body:: attributes",
    "bind": "bind:: attributes",
}
_KNOWN_COLUMNS = {
    "survey": _words("type name label hint required appearance parameters labels points topic")
    | _words("answer tolerance partial"),
    "choices": _words("list_name name label correct"),
    "settings": _words("form_id version form_title kind pass_mark default_language description"),
}
_TEXT_COLUMNS = {"label", "hint", "form_title", "description"}
#: Text columns whose plain form serves every language without a column of its own.
_TITLES = {"form_title", "description"}
_WHOLE = re.compile(r"-?\d+")


def load_xlsform(data: bytes, filename: str) -> QuestionSet:
    """Read and validate the XLSForm in `data`; raise FormErrors with every problem at once."""
    return _Reader(filename, read_workbook(data, filename)).read()


@dataclass
class _ChoiceRow:
    name: str
    text: Text
    correct: bool
    row: int


#: Reports one problem of a row: (column header or None, message).
_Bad = Callable[[str | None, str], None]


class _Reader:
    """One workbook being read; collects every error before raising them together."""

    def __init__(self, filename: str, sheets: dict[str, Sheet]) -> None:
        self.filename = filename
        self.errors: list[FormError] = []
        self.bad: set[tuple[int | None, str, str | None]] = set()
        self.survey, self.choices = sheets.get("survey"), sheets.get("choices")
        self.settings = sheets.get("settings")
        titles = {name: sheet.title for name, sheet in sheets.items()}
        self.survey_title = titles.get("survey", "survey")
        self.choices_title = titles.get("choices", "choices")
        self.settings_title = titles.get("settings", "settings")
        self.settings_row = 2
        self.default: str | None = None
        self.languages: list[str] = []
        self.names: dict[str, str] = {}
        self.lists: dict[str, list[_ChoiceRow]] = {}
        self.shaky_lists: set[str] = set()
        self.absent: set[tuple[str, str, str]] = set()
        self.places: list[Places] = []
        self.order: dict[FormError, tuple[int, int]] = {}

    def _rank(self, sheet: str, row: int | None) -> tuple[int, int]:
        """Where an error sorts: sheet by sheet (survey, choices, settings), row by row."""
        titles = [self.survey_title, self.choices_title, self.settings_title]
        return (titles.index(sheet) if sheet in titles else 0, row or 0)

    def at(self, sheet: str, row: int | None) -> _Bad:
        """A reporter for the problems of one row."""

        def bad(column: str | None, message: str) -> None:
            self.errors.append(FormError(where(self.filename, sheet, row, column), message))
            self.order[self.errors[-1]] = self._rank(sheet, row)
            # Settings are one row of independent cells; elsewhere a row is one question.
            self.bad.add((row, sheet, column if sheet == self.settings_title else None))

        return bad

    def read(self) -> QuestionSet:
        if self.survey is None:
            message = "there is no sheet named 'survey'; an XLSForm needs one"
            raise FormErrors([FormError(self.filename, message)])
        settings = self._settings_values()
        self._default_language(settings)
        for sheet in (self.survey, self.choices, self.settings):
            if sheet is not None:
                self._check_header(sheet)
        self._languages(self.survey)
        if not self.languages:
            raise FormErrors(self.errors)
        self._read_choices()
        questions = self._read_survey(self.survey)
        qs = self._build(settings, questions)
        layout = Layout(
            self.filename, self.survey_title, self.choices_title, self.settings_title,
            self.settings_row if self.settings else None,
            self.languages, self.names, self.absent, self.places,
        )  # fmt: skip
        placed = [p for e in validate(qs) if (p := layout.place(e, qs)) is not None]
        if self.errors:
            # What is wrong where something is already reported mostly follows from it.
            placed = [p for p in placed if p[1][0] is not None and p[1] not in self.bad]
        for error, (row, title, _) in placed:
            self.order.setdefault(error, self._rank(title, row))
        errors = list(dict.fromkeys(self.errors + [error for error, _ in placed]))
        if errors:
            raise FormErrors(sorted(errors, key=self.order.__getitem__))
        return qs

    def _check_header(self, sheet: Sheet) -> None:
        name, bad = sheet.title.strip().lower(), self.at(sheet.title, 1)
        known = _KNOWN_COLUMNS[name]
        if sheet.too_long:
            self.at(sheet.title, None)(None, f"more than {MAX_ROWS} rows; is it the right file?")
        seen: dict[tuple[str, str | None], str] = {}
        for column in sheet.columns:
            lang = column.lang
            if column.base in _TEXT_COLUMNS - _TITLES:
                lang = self.default if lang is None else language(lang) or lang
            if (column.base, lang) in seen:
                other = seen[column.base, lang]
                bad(column.header, f"columns '{other}' and '{column.header}' hold the same thing")
            seen[column.base, lang] = column.header
            if name == "survey" and column.base == "correct":
                bad(column.header, "correct belongs on sheet 'choices'; here, use answer")
            elif column.base not in known and column.base not in _UNSUPPORTED_COLUMNS:
                close = difflib.get_close_matches(column.base, known, n=1, cutoff=0.8)
                if close:
                    bad(column.header, f"unknown column; did you mean '{close[0]}'?")
        if name == "survey":
            for base in ("type", "name", "label"):
                if not any(c.base == base for c in sheet.columns):
                    bad(None, f"the sheet has no {base} column; add one")

    def _default_language(self, settings: Row) -> None:
        if spec := settings.get("default_language"):
            self.default = language(spec)
            if self.default is None:
                self.at(self.settings_title, self.settings_row)(
                    "default_language", f"which language is {spec!r}? Write e.g. 'French (fr)'"
                )
            else:
                self.names.setdefault(self.default, spec)

    def _languages(self, survey: Sheet) -> None:
        """The set's languages: those of the survey's label columns, the default one first."""
        found: list[str] = []
        for column in survey.columns:
            if column.base == "label":
                code = self._column_language(survey, column)
                if code is not None and code not in found:
                    found.append(code)
        if self.default in found:
            found.remove(self.default)
            found.insert(0, self.default)
        self.languages = found

    def _column_language(self, sheet: Sheet, column: Column, quiet: bool = False) -> str | None:
        """The language of a text column; a plain column is in the default language."""
        bad = self.at(sheet.title, 1) if not quiet else lambda column, message: None
        if column.lang is None:
            if self.default is None:
                bad(
                    column.header,
                    f"which language is it in? Name it e.g. '{column.header}::English (en)', "
                    "or give default_language on sheet 'settings'",
                )
            return self.default
        code = language(column.lang)
        if code is None:
            bad(column.header, f"which language is {column.lang!r}? Add its code, e.g. 'Name (xx)'")
        else:
            self.names.setdefault(code, column.lang)
        return code

    def _text_columns(self, sheet: Sheet, base: str) -> list[tuple[Column, str]]:
        """The columns holding `base` texts, with their language; reports stray languages."""
        out = []
        # The survey's label columns were judged when the languages were gathered.
        quiet = sheet is self.survey and base == "label"
        for column in sheet.columns:
            if column.base != base or (column.lang is None and base in _TITLES):
                continue
            code = self._column_language(sheet, column, quiet)
            if code in self.languages:
                out.append((column, code))
            elif code is not None and not quiet:
                self.at(sheet.title, 1)(
                    column.header,
                    f"{self._name(code)} has no label column on sheet '{self.survey_title}'; "
                    "add one there or remove this column",
                )
        if not quiet and base in ("label", "hint") and (out or base == "label"):
            # One report for a missing column, rather than one per row left without its text.
            for lang in self.languages:
                if all(code != lang for _, code in out):
                    self.absent.add((sheet.title, base, lang))
                    name = self._name(lang)
                    self.at(sheet.title, 1)(
                        None, f"no {base} column in {name}; add '{base}::{name}'"
                    )
        return out

    def _name(self, code: str) -> str:
        return language_name(code, self.names)

    @staticmethod
    def _text(row: Row, columns: list[tuple[Column, str]]) -> Text:
        return {code: row.values[c.key] for c, code in columns if c.key in row.values}

    def _read_choices(self) -> None:
        if (sheet := self.choices) is None:
            return
        labels = self._text_columns(sheet, "label")
        for row in sheet.rows:
            bad, before = self.at(sheet.title, row.number), len(self.errors)
            list_name, name = row.get("list_name"), row.get("name")
            self._read_choice(row, list_name, name, labels, bad)
            if len(self.errors) > before:
                # A list with a broken row may look short or unkeyed to validation: say less.
                self.shaky_lists.add(list_name or "*")

    def _read_choice(
        self, row: Row, list_name: str, name: str, labels: list[tuple[Column, str]], bad: _Bad
    ) -> None:
        assert self.choices is not None
        self._unsupported(self.choices, row, bad)
        if not list_name or not name:
            if list_name or name or self._text(row, labels):
                missing = "list_name" if not list_name else "name"
                bad(missing, f"the {missing} is empty; fill it in")
            return
        correct = cell_flag(row.get("correct") or "0")
        if correct is None:
            bad("correct", f"{row.get('correct')!r}: put 1 for a correct choice, else nothing")
        items = self.lists.setdefault(list_name, [])
        if any(item.name == name for item in items):
            bad("name", f"list {list_name!r} already has a choice {name!r}; rename one")
            return
        items.append(_ChoiceRow(name, self._text(row, labels), bool(correct), row.number))

    def _read_survey(self, sheet: Sheet) -> list[Question]:
        labels, hints = self._text_columns(sheet, "label"), self._text_columns(sheet, "hint")
        groups: list[tuple[str, str, int]] = []  # (group or repeat, name, row)
        questions: list[Question] = []
        for row in sheet.rows:
            bad = self.at(sheet.title, row.number)
            self._unsupported(sheet, row, bad)
            raw = " ".join(row.get("type").split())
            head, *args = raw.split(" ")
            head = head.lower()
            if head in ("select", "begin", "end") and args:
                head, args = f"{head}_{args[0].lower()}", args[1:]
            if not raw:
                # A row holding only the author's own notes is not a question.
                if any(row.get(c.key) for c in sheet.columns if c.base in ("name", "label")):
                    bad("type", "the type is empty; fill it in or clear the row")
            elif head in ("begin_group", "begin_repeat"):
                if head == "begin_repeat":
                    bad("type", "Tadrib does not support repeats; ask each question once")
                groups.append((head[6:], row.get("name"), row.number))
            elif head in ("end_group", "end_repeat"):
                if groups and groups[-1][0] == head[4:]:
                    groups.pop()
                else:
                    bad("type", f"'{raw}' does not close a 'begin {head[4:]}' above it")
            elif head not in _METADATA:
                group = next((name for _, name, _ in reversed(groups) if name), None)
                question = self._question(row, head, args, (labels, hints), bad)
                if question is not None:
                    question.topic = row.get("topic") or group
                    questions.append(question)
        for kind, _, number in groups:
            self.at(sheet.title, number)("type", f"this {kind} has no 'end {kind}' row")
        return questions

    def _unsupported(self, sheet: Sheet, row: Row, bad: _Bad) -> None:
        for column in sheet.columns:
            feature, value = _UNSUPPORTED_COLUMNS.get(column.base), row.get(column.key)
            if feature and value and not (column.base == "read_only" and cell_flag(value) is False):
                bad(column.header, f"Tadrib does not support {feature}; clear {value!r}")

    def _question(
        self,
        row: Row,
        head: str,
        args: list[str],
        texts: tuple[list[tuple[Column, str]], list[tuple[Column, str]]],
        bad: _Bad,
    ) -> Question | None:
        """The question on one survey row, or None (with the reasons reported)."""
        raw = " ".join([head, *args])
        if head not in _TYPE_MAP:
            if head in _UNSUPPORTED_TYPES:
                bad("type", f"Tadrib does not support {raw!r}; use {', '.join(TYPES)}")
            else:
                close = difflib.get_close_matches(head, list(_SUGGEST), n=1)
                fix = (
                    f"did you mean {_SUGGEST[close[0]]!r}?" if close else f"use {', '.join(TYPES)}"
                )
                bad("type", f"unknown type {raw!r}; {fix}")
            return None
        before = len(self.errors)
        qtype = _TYPE_MAP[head]
        if qtype in ("single", "multiple") and len(args) != 1:
            fix = f"'{head} {args[0]}'" if args else f"the list's name, e.g. '{head} yesno'"
            bad("type", f"{raw!r} is not supported; write {fix}")
        if not (qid := row.get("name")):
            bad("name", "the name is empty; give the question a unique id, e.g. q1")
        labels, hints = texts
        q = Question(qid, qtype, self._text(row, labels), hint=self._text(row, hints) or None)
        if qtype != "note":
            q.required = self._yes_no(row, "required", bad)
        q.partial = self._yes_no(row, "partial", bad)
        for key in ("points", "tolerance"):
            if value := row.get(key):
                if (number := cell_number(value)) is None:
                    bad(key, f"{key} is {value!r}; give a number")
                setattr(q, key, number if number is not None else 1.0)
        for key, owner in (("parameters", "range"), ("labels", "range")):
            if row.get(key) and head != owner:
                bad(key, f"{key} is only read for {owner} questions; clear it")
        places = Places(row.number)
        if qtype in ("single", "multiple") and args:
            self._choices(row, q, args[0], places, bad)
        elif qtype == "likert":
            self._range(row, q, places, bad)
        answer = row.get("answer")
        if answer and q.type in ("truefalse", "number"):
            q.answer = cell_flag(answer) if q.type == "truefalse" else cell_number(answer)
            if q.answer is None:
                bad(
                    "answer",
                    f"{answer!r}: give {'true or false' if head == 'truefalse' else 'a number'}",
                )
        elif answer and q.type not in ("single", "multiple"):
            bad("answer", f"{q.type} questions are not scored; clear the answer")
        if len(self.errors) > before:
            return None
        self.places.append(places)
        return q

    def _yes_no(self, row: Row, key: str, bad: _Bad) -> bool:
        """A yes/no cell; blank means no, as in XLSForm."""
        value = row.get(key)
        flag = cell_flag(value) if value else False
        if flag is None:
            bad(key, f"{key} is {value!r}; write yes or leave it empty (no conditions)")
        return bool(flag)

    def _choices(self, row: Row, q: Question, list_name: str, p: Places, bad: _Bad) -> None:
        if (items := self._list(list_name, "type", row.number, bad)) is None:
            return
        likert = "likert" in row.get("appearance").lower().split()
        if q.type == "single" and likert and all(_WHOLE.fullmatch(i.name) for i in items):
            q.type, q.scale = (
                "likert",
                Scale(min(int(i.name) for i in items), max(int(i.name) for i in items)),
            )
            self._labels(q.scale, items, p)
            return
        correct = {item.name for item in items if item.correct}
        if answer := row.get("answer"):
            correct = set(answer.replace(",", " ").split())
            if unknown := sorted(correct - {item.name for item in items}):
                listed = ", ".join(map(repr, unknown))
                bad("answer", f"{listed} is not in list {list_name!r} on sheet 'choices'")
        q.choices = [Choice(i.name, i.text, i.name in correct) for i in items]
        p.choices = [i.row for i in items]

    def _list(self, name: str, column: str, row: int, bad: _Bad) -> list[_ChoiceRow] | None:
        items = self.lists.get(name)
        if self.shaky_lists & {name, "*"}:
            self.bad.add((row, self.survey_title, None))
        if items is None:
            missing = "" if self.choices else "; there is no sheet 'choices'"
            bad(column, f"choice list {name!r} is not defined on sheet 'choices'{missing}")
        return items

    def _range(self, row: Row, q: Question, p: Places, bad: _Bad) -> None:
        params = {"start": 1, "end": 10, "step": 1}
        for item in re.split(r"[\s,;]+", row.get("parameters").strip()):
            key, _, value = item.partition("=")
            key, number = key.strip().lower(), cell_number(value)
            if not item:
                continue
            if key not in params:
                bad(
                    "parameters", f"{item!r}: a range takes start, end and step, e.g. start=1 end=5"
                )
            elif number is None or not number.is_integer():
                bad("parameters", f"{item!r}: a Likert scale needs whole numbers")
            else:
                params[key] = int(number)
        if params["step"] != 1:
            bad("parameters", f"step={params['step']}: a Likert scale goes up by 1; use step=1")
        q.scale = Scale(params["start"], params["end"])
        if (name := row.get("labels")) and (
            items := self._list(name, "labels", row.number, bad)
        ) is not None:
            for item in items:
                if not _WHOLE.fullmatch(item.name):
                    self.at(self.choices_title, item.row)(
                        "name", f"list {name!r} labels a range: name its choices 1, 2, ..."
                    )
            self._labels(q.scale, [i for i in items if _WHOLE.fullmatch(i.name)], p)

    @staticmethod
    def _labels(scale: Scale, items: list[_ChoiceRow], p: Places) -> None:
        scale.labels = {int(i.name): i.text for i in items}
        p.labels = {int(i.name): i.row for i in items}

    def _settings_values(self) -> Row:
        if self.settings is None or not self.settings.rows:
            return Row(2, {})
        first, *others = self.settings.rows
        self.settings_row = first.number
        for other in others:
            self.at(self.settings_title, other.number)(
                None, f"settings are read from row {first.number} only; move these values there"
            )
        return first

    def _build(self, settings: Row, questions: list[Question]) -> QuestionSet:
        bad = self.at(self.settings_title, self.settings_row)
        stem = PurePath(self.filename).stem.lower()
        form_id = settings.get("form_id") or re.sub(r"[^a-z0-9._-]+", "-", stem).strip("-._")
        version, title = settings.get("version"), self._titles(settings, "form_title")
        if self.settings is None:
            self.at(self.settings_title, None)(
                None, "there is no sheet 'settings'; add one with form_id, version and form_title"
            )
        elif not version:
            bad("version", "the version is empty; give one, e.g. 2019.1 (formatted as text)")
        if self.settings is not None and not title:
            bad("form_title", "the title is empty; fill in form_title")
        keyed = any(q.answer is not None or any(c.correct for c in q.choices) for q in questions)
        kind: Kind = "test" if keyed else "evaluation"
        if (given := settings.get("kind").lower()) in ("test", "evaluation"):
            kind = "test" if given == "test" else "evaluation"
        elif given:
            bad("kind", f"kind is {settings.get('kind')!r}; use test or evaluation")
        value = settings.get("pass_mark")
        if (pass_mark := cell_number(value.rstrip("%")) if value else None) is None and value:
            bad("pass_mark", f"pass_mark is {value!r}; give a percent, e.g. 70")
        description = self._titles(settings, "description") or None
        return QuestionSet(
            form_id, version or "0", kind, title, self.languages, questions, pass_mark, description
        )

    def _titles(self, settings: Row, base: str) -> Text:
        """A title: its column per language, the plain column filling languages without one."""
        if self.settings is None:
            return {}
        text = self._text(settings, self._text_columns(self.settings, base))
        columns = self.settings.columns
        if plain := next(
            (settings.get(c.key) for c in columns if (c.base, c.lang) == (base, None)), ""
        ):
            text = {lang: text.get(lang) or plain for lang in self.languages}
        return text
