"""Reads an XLSForm workbook (.xlsx) into a question set, through pyxform, XLSForm's reference.

pyxform reads the sheets and turns the workbook into its JSON form (types de-aliased, columns
grouped by language, groups nested, settings applied) and refuses what XLSForm refuses; this
module maps that JSON onto Tadrib's model and puts every problem back on its sheet and Excel row.

Mapping (docs/question-sets.md gives the rest):

- `select_one L` -> single, `select_multiple L` -> multiple, in every spelling pyxform knows. A
  `select_one` with appearance `likert` whose choice names are whole numbers -> likert.
- `integer`, `decimal` -> number; `range` -> likert when it is a scale of at most 11 points going
  up by 1, else a number checked against its start, end and step; `date`, `time`, `datetime`,
  `calculate`, `acknowledge`, `text`, `note` keep their names; `truefalse` is Tadrib's own.
- Groups (any appearance) are flattened: a question takes its group's relevance and, without a
  `topic`, the innermost group's name as its topic.
- Metadata: `today`, `start`, `end` become calculations the phone records; the others (deviceid,
  username, ...) are skipped, as the phone records its own times and device.
- Expressions (`relevant`, `constraint`, `calculation`, `choice_filter`, a `required` that is not
  yes/no) are kept for the phone and the server to run (forms.expressions).
- A plain `label` is in the default language (settings' `default_language`, else English, said
  in a warning); a missing translation falls back to the default language's text, with a warning.
  No version: one is made from the content (and said); no title: the form id.
- Tadrib's extra columns: `correct` on choices; `points`, `topic`, `answer`, `tolerance`,
  `partial` on the survey; `kind`, `pass_mark`, `description` in settings.
- Refused, naming the feature and its rows: repeats, geo and media questions, barcode, rank,
  external and from-file selects, `search()`, `pulldata()` and entities.
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from pathlib import PurePath
from typing import Any

from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json

from forms.canonical import content_hash
from forms.errors import FormError, FormErrors
from forms.model import Choice, Kind, Question, QuestionSet, Scale, Text
from forms.validate import MAX_SCALE_POINTS, validate
from forms.xlsform_findings import Findings
from forms.xlsform_places import Layout, Places
from forms.xlsform_sheets import (
    cell_flag,
    cell_number,
    language,
    language_name,
    read_definition,
    unsaved_formulas,
)
from forms.xlsform_types import TRUEFALSE, kind_of, known_types

#: The types an author may write, for the template's help.
TYPES = (
    "select_one", "select_multiple", "integer", "decimal", "range", "text", "note", "date",
    "time", "datetime", "calculate", "acknowledge", TRUEFALSE,
)  # fmt: skip
#: The language a plain `label` is taken to be in when settings name no default_language.
ASSUMED_LANGUAGE = "en"
_SURVEY, _CHOICES, _SETTINGS = "survey", "choices", "settings"
_WHOLE = re.compile(r"-?\d+")
_ROW = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
_SHEET_IN = re.compile(r"[Oo]n the '?(survey|choices|settings|entities|external_choices)'? sheet")
#: Choice columns that are not data a choice filter might test.
_CHOICE_KEYS = frozenset({"name", "label", "media", "correct"})
_MEDIA_COLUMNS = frozenset({"image", "big-image", "audio", "video", "media"})
_FILE_LIST = re.compile(r"\.(csv|xml|geojson)$", re.I)
#: What an unknown type may have meant, in Tadrib's own words.
_SUGGEST = {
    "single": "select_one", "multiple": "select_multiple", "number": "integer", "likert": "range"
}  # fmt: skip
_OWN_SURVEY = frozenset({"points", "topic", "answer", "tolerance", "partial"})
_REFUSED_CALLS = {"pulldata(": "pulldata()", "search(": "search()"}


def load_xlsform(data: bytes, filename: str) -> QuestionSet:
    """Read and validate the XLSForm in `data`; raise FormErrors with every problem at once."""
    return read_xlsform(data, filename)[0]


def read_xlsform(data: bytes, filename: str) -> tuple[QuestionSet, list[FormError]]:
    """The question set in `data` and the warnings about what was assumed or left out."""
    return _Reader(data, filename).read()


class _Reader:
    """One workbook being read; collects every problem before raising them together."""

    def __init__(self, data: bytes, filename: str) -> None:
        self.data, self.filename = data, filename
        self.errors, self.warnings = Findings(filename), Findings(filename)
        self.definition = read_definition(data, filename)
        names = list(self.definition.sheet_names or [])
        self.titles = {name.lower(): name for name in names}
        order = [self.titles.get(s, s) for s in (_SURVEY, _CHOICES, _SETTINGS)]
        self.errors.sheet_order = self.warnings.sheet_order = order
        self.default = ASSUMED_LANGUAGE
        self.languages: list[str] = []
        self.names: dict[str, str] = {}
        self.places: list[Places] = []
        self.survey_rows = {
            key: deque(rows)
            for key, rows in _rows_by_key(self.definition.survey or [], ("name",)).items()
        }
        self.choice_rows: dict[tuple[str, ...], list[int]] = _rows_by_key(
            self.definition.choices or [], ("list_name", "name")
        )
        self.unknown_specs: set[str] = set()
        #: Metadata the phone would record, kept only when an expression refers to it.
        self.metadata: dict[str, tuple[Question, Places]] = {}
        #: The groups each question sits in, outermost first, and its row.
        self.groups: dict[int, tuple[list[str], int | None]] = {}

    def sheet(self, name: str) -> str:
        """A sheet's title as the author wrote it."""
        return str(self.titles.get(name, name))

    def read(self) -> tuple[QuestionSet, list[FormError]]:
        self._formulas()
        self._refused_sheets()
        self._media_columns()
        warnings: list[str] = []
        try:
            form = workbook_to_json(
                self.definition,
                form_name=None,
                fallback_form_name=None,
                warnings=warnings,
            )
        except PyXFormError as exc:
            self._pyxform_message(str(exc), self.errors)
            raise FormErrors(self.errors.errors()) from None
        for message in warnings:
            if not message.startswith("Language '"):  # translations are judged below
                self._pyxform_message(message, self.warnings)
        self._languages(form)
        questions: list[Question] = []
        self._walk(form, form.get("children", []), [], [], questions)
        self._names_in_several_groups(questions)
        self._recorded_metadata(questions)
        self._header_typos()
        qs = self._build(form, questions)
        if not self.errors:
            layout = Layout(
                self.filename, self.sheet(_SURVEY), self.sheet(_CHOICES), self.sheet(_SETTINGS),
                2, self.languages, self.names, set(), self.places,
            )  # fmt: skip
            for error in validate(qs):
                placed = layout.place(error, qs)
                if placed is not None:
                    self.errors.add(*_split_where(placed[0], self.filename), placed[0].message)
        if self.errors:
            raise FormErrors(self.errors.errors())
        return qs, self.warnings.errors()

    # -- the workbook as a whole -------------------------------------------------------------

    def _formulas(self) -> None:
        wanted = {self.sheet(s) for s in (_SURVEY, _CHOICES, _SETTINGS)}
        for sheet, row, column, formula in unsaved_formulas(self.data):
            if sheet in wanted:
                self.errors.add(
                    sheet, row, column,
                    f"holds the formula ={formula} with no saved value, so it reads as empty; "
                    "open the file in Excel or LibreOffice and save it, or type the value",
                )  # fmt: skip

    def _refused_sheets(self) -> None:
        d = self.definition
        for name, rows, feature in (
            ("entities", d.entities, "entities"),
            ("external_choices", d.external_choices, "external selects"),
        ):
            if rows and any(rows):
                first = next(i for i, row in enumerate(rows) if row) + 2
                self.errors.add(
                    self.sheet(name), first, None,
                    f"Tadrib does not support {feature} (the '{name}' sheet); remove the sheet",
                )  # fmt: skip

    def _media_columns(self) -> None:
        for name, header in ((_SURVEY, self.definition.survey_header),
                             (_CHOICES, self.definition.choices_header)):  # fmt: skip
            for column in (header or [{}])[0]:
                base = re.split(r"::?", column, maxsplit=1)[0].strip().lower()
                if base in _MEDIA_COLUMNS:
                    self.warnings.add(
                        self.sheet(name), 1, column,
                        "ignored: Tadrib shows no images, audio or video with questions",
                    )  # fmt: skip

    def _pyxform_message(self, message: str, findings: Findings) -> None:
        """A pyxform error or warning, placed on its sheet and row when it names them."""
        row: int | None = None
        if found := _ROW.match(message):
            row, message = int(found[1]), message[found.end() :]
        sheet = _SURVEY
        if found := _SHEET_IN.search(message):
            sheet = found[1]
        message = " ".join(message.split())
        findings.add(self.sheet(sheet), row, None, message)

    # -- languages and texts -----------------------------------------------------------------

    def _languages(self, form: dict[str, Any]) -> None:
        """The set's languages: the default one first, then those of the label columns."""
        spec = str(form.get("default_language") or "default")
        specs: list[str] = []
        _label_specs(form, specs)
        if spec != "default":
            code = language(spec)
            if code is None:
                self.errors.add(
                    self.sheet(_SETTINGS), 2, "default_language",
                    f"which language is {spec!r}? Write e.g. 'French (fr)'",
                )  # fmt: skip
            else:
                self.default = code
                self.names.setdefault(code, spec)
        elif "default" in specs:
            self.names.setdefault(ASSUMED_LANGUAGE, "English (en)")
            others = [language(s) for s in specs if s != "default"]
            self.warnings.add(
                self.sheet(_SURVEY), 1, "label",
                f"taken to be in {self._name(ASSUMED_LANGUAGE)}"
                + (" (as the other label columns are)" if ASSUMED_LANGUAGE in others else "")
                + "; if it is in another language, give default_language on sheet 'settings', "
                "e.g. French (fr)",
            )  # fmt: skip
        found = [self.default] if "default" in specs or spec != "default" else []
        for s in specs:
            code = self._code(s)
            if code is not None and code not in found:
                found.append(code)
        self.languages = found or [self.default]

    def _code(self, spec: str) -> str | None:
        if spec == "default":
            return self.default
        code = language(spec)
        if code is None:
            if spec not in self.unknown_specs:
                self.unknown_specs.add(spec)
                self.errors.add(
                    self.sheet(_SURVEY), 1, f"label::{spec}",
                    f"which language is {spec!r}? Add its code, e.g. '{spec} (xx)'",
                )  # fmt: skip
            return None
        self.names.setdefault(code, spec)
        return code

    def _text(self, value: object, sheet: str, row: int | None, column: str) -> Text:
        """A text in every language; a missing translation is the default language's text."""
        if value is None or value == "":
            return {}
        raw = {"default": value} if isinstance(value, str) else dict(value)  # type: ignore[call-overload]
        text: Text = {}
        for spec, content in raw.items():
            code = self._code(str(spec))
            # An explicit column wins over the plain one taken to be in the same language.
            explicit = spec != "default" or code not in text
            if code is not None and code not in self.languages:
                self._stray(sheet, column, str(spec), code)
                continue
            if code is not None and isinstance(content, str) and content.strip() and explicit:
                text[code] = content
        if not text:
            return {}
        if isinstance(value, str) and sheet == _SETTINGS:
            # A plain title serves every language, as in XLSForm.
            return dict.fromkeys(self.languages, value)
        source = self.default if self.default in text else next(iter(text))
        for lang in self.languages:
            if lang not in text:
                text[lang] = text[source]
                self.warnings.add(
                    self.sheet(sheet), row, column,
                    f"no {self._name(lang)} text; the {self._name(source)} text is shown instead",
                )  # fmt: skip
        return {lang: text[lang] for lang in self.languages if lang in text}

    def _stray(self, sheet: str, column: str, spec: str, code: str) -> None:
        self.warnings.add(
            self.sheet(sheet), 1, f"{column}::{spec}",
            f"ignored: {self._name(code)} has no label column on sheet '{self.sheet(_SURVEY)}', "
            "so it is not one of the form's languages",
        )  # fmt: skip

    def _name(self, code: str) -> str:
        return language_name(code, self.names)

    # -- the survey ----------------------------------------------------------------------------

    def _walk(
        self,
        form: dict[str, Any],
        children: list[dict[str, Any]],
        relevant: list[str],
        groups: list[str],
        out: list[Question],
    ) -> None:
        for child in children:
            name, type_name = str(child.get("name", "")), str(child.get("type", ""))
            if type_name == "group" and child.get("control", {}).get("bodyless"):
                continue  # pyxform's own meta group (instanceID)
            row = self._row(name)
            kind = kind_of(type_name)
            bind = child.get("bind", {})
            if kind.role == "group":
                inner = [*relevant, bind["relevant"]] if bind.get("relevant") else relevant
                inside = [*groups, name] if name else groups
                self._walk(form, child.get("children", []), inner, inside, out)
            elif kind.role == "refused":
                self._refuse(row, kind.feature)
            elif kind.role == "unknown":
                close = difflib.get_close_matches(type_name, [*TYPES, *_SUGGEST], 1, 0.7) or (
                    difflib.get_close_matches(type_name, known_types(), 1, 0.7)
                )
                fix = f"; did you mean {_SUGGEST.get(close[0], close[0])!r}?" if close else ""
                self.errors.add(
                    self.sheet(_SURVEY), row, "type", f"unknown type {type_name!r}{fix}"
                )
            elif kind.role == "metadata":
                if kind.calculation is not None:
                    q = Question(name, "calculate", {}, required=False)
                    q.calculation = kind.calculation
                    self.metadata[name] = (q, Places(row or 0))
            else:
                question = self._question(form, child, kind, row, relevant, groups)
                if question is not None:
                    out.append(question)
                    self.groups[id(question)] = (groups, row)

    def _names_in_several_groups(self, questions: list[Question]) -> None:
        """pyxform lets groups reuse a question name (an expression may then not refer to it);
        Tadrib needs one id per question, so each of them is named with its groups in front."""
        by_name: dict[str, list[Question]] = {}
        for q in questions:
            by_name.setdefault(q.id, []).append(q)
        for name, same in by_name.items():
            if len(same) < 2:
                continue
            placed = [self.groups[id(q)] for q in same]
            ids = [".".join([*groups, name]) for groups, _ in placed]
            message = (
                f"question name {name!r} is used in more than one group; "
                f"each is imported with its groups' names in front: {', '.join(ids)}"
            )
            for q, new, (_, row) in zip(same, ids, placed, strict=True):
                q.id = new
                self.warnings.add(self.sheet(_SURVEY), row, "name", message)

    def _recorded_metadata(self, questions: list[Question]) -> None:
        """Metadata an expression refers to (e.g. ${today}) is recorded as a calculation."""
        logic = " ".join(
            str(getattr(q, key) or "")
            for q in questions
            for key in ("relevant", "constraint", "calculation", "choice_filter", "required_if")
        )
        for name, (q, places) in self.metadata.items():
            if re.search(r"\$\{\s*" + re.escape(name) + r"\s*\}", logic):
                questions.insert(0, q)
                self.places.insert(0, places)

    def _header_typos(self) -> None:
        """A misspelt Tadrib column would drop the answer keys silently: name it."""
        d = self.definition
        for name, header, own in (
            (_SURVEY, d.survey_header, _OWN_SURVEY),
            (_CHOICES, d.choices_header, frozenset({"correct"})),
            (_SETTINGS, d.settings_header, frozenset({"kind", "pass_mark", "description"})),
        ):
            for column in (header or [{}])[0]:
                base = "_".join(column.split("::")[0].strip().lower().split())
                if name == _SURVEY and base == "correct":
                    self.errors.add(
                        self.sheet(name), 1, column,
                        "correct belongs on sheet 'choices'; here, use answer",
                    )  # fmt: skip
                elif base not in own and (close := difflib.get_close_matches(base, own, 1, 0.8)):
                    self.errors.add(
                        self.sheet(name), 1, column, f"unknown column; did you mean {close[0]!r}?"
                    )

    def _row(self, name: str) -> int | None:
        rows = self.survey_rows.get((name,))
        return rows.popleft() if rows else None

    def _refuse(self, row: int | None, feature: str) -> None:
        self.errors.add(
            self.sheet(_SURVEY), row, "type",
            f"Tadrib does not support {feature}; remove these rows or ask in another way",
        )  # fmt: skip

    def _question(
        self,
        form: dict[str, Any],
        child: dict[str, Any],
        kind: Any,
        row: int | None,
        relevant: list[str],
        groups: list[str],
    ) -> Question | None:
        survey = _SURVEY
        bind: dict[str, Any] = child.get("bind", {})
        control: dict[str, Any] = child.get("control", {})
        errors_before = len(self.errors)
        q = Question(
            str(child.get("name", "")),
            kind.type,
            self._text(child.get("label"), survey, row, "label"),
            hint=self._text(child.get("hint"), survey, row, "hint") or None,
        )
        q.topic = _extra(child, "topic") or (groups[-1] if groups else None)
        required = _cell(bind.get("required"))
        flag = cell_flag(required) if required else False
        if q.type in ("note", "calculate"):
            q.required = False
        elif flag is None:
            q.required, q.required_if = False, required
        else:
            q.required = flag
        own = _cell(bind.get("relevant"))
        conditions = [*relevant, *([own] if own else [])]
        q.relevant = (
            " and ".join(f"({c})" for c in conditions)
            if len(conditions) > 1
            else (conditions[0] if conditions else None)
        )
        q.constraint = _cell(bind.get("constraint")) or kind.constraint
        q.constraint_message = (
            self._text(bind.get("jr:constraintMsg"), survey, row, "constraint_message") or None
        )
        q.required_message = (
            self._text(bind.get("jr:requiredMsg"), survey, row, "required_message") or None
        )
        q.calculation = _cell(bind.get("calculate"))
        q.choice_filter = _cell(child.get("choice_filter"))
        q.default = _cell(child.get("default"))
        q.read_only = q.type != "note" and cell_flag(_cell(bind.get("readonly")) or "no") is True
        q.appearance = _cell(control.get("appearance"))
        parameters: dict[str, Any] = child.get("parameters") or {}
        q.randomize = cell_flag(_cell(parameters.get("randomize")) or "no") is True
        for expression, column in (
            (q.relevant, "relevant"), (q.constraint, "constraint"),
            (q.calculation, "calculation"), (q.choice_filter, "choice_filter"),
            (q.default, "default"), (q.appearance, "appearance"), (q.required_if, "required"),
        ):  # fmt: skip
            for call, feature in _REFUSED_CALLS.items():
                if expression and call in expression.replace(" ", ""):
                    self.errors.add(
                        self.sheet(survey), row, column,
                        f"Tadrib does not support {feature}; remove it from this row",
                    )  # fmt: skip
        self._extras(child, q, row)
        places = Places(row or 0)
        if q.type in ("single", "multiple"):
            self._choices(form, child, q, row, places)
        elif q.type == "likert":
            self._range(child, q, row, places)
        self._answer(child, q, row)
        if len(self.errors) > errors_before:
            return None
        self.places.append(places)
        return q

    def _extras(self, child: dict[str, Any], q: Question, row: int | None) -> None:
        """Tadrib's own survey columns: points, tolerance, partial."""
        sheet = self.sheet(_SURVEY)
        for key in ("points", "tolerance"):
            if value := _extra(child, key):
                number = cell_number(value)
                if number is None:
                    self.errors.add(sheet, row, key, f"{key} is {value!r}; give a number")
                else:
                    setattr(q, key, number)
        if partial := _extra(child, "partial"):
            flag = cell_flag(partial)
            if flag is None:
                self.errors.add(sheet, row, "partial", f"partial is {partial!r}; write yes or no")
            q.partial = bool(flag)

    def _choices(
        self, form: dict[str, Any], child: dict[str, Any], q: Question, row: int | None, p: Places
    ) -> None:
        list_name = str(child.get("itemset") or child.get("list_name") or "")
        if _FILE_LIST.search(list_name):
            feature = "selects from a file (select_one_from_file, select_multiple_from_file)"
            self._refuse(row, feature)
            return
        items: list[dict[str, Any]] = form.get("choices", {}).get(list_name) or []
        rows = self._choice_rows(list_name, items)
        appearance = (q.appearance or "").lower().split()
        if (
            q.type == "single"
            and "likert" in appearance
            and items
            and all(_WHOLE.fullmatch(str(i.get("name", ""))) for i in items)
        ):
            values = [int(str(i["name"])) for i in items]
            q.type, q.scale = "likert", Scale(min(values), max(values))
            for item, value, choice_row in zip(items, values, rows, strict=True):
                q.scale.labels[value] = self._text(item.get("label"), _CHOICES, choice_row, "label")
                p.labels[value] = choice_row or 0
            return
        for item, choice_row in zip(items, rows, strict=True):
            correct = _extra(item, "correct")
            flag = cell_flag(correct) if correct else False
            if flag is None:
                self.errors.add(
                    self.sheet(_CHOICES), choice_row, "correct",
                    f"{correct!r}: put 1 for a correct choice, else nothing",
                )  # fmt: skip
            data = {str(k): v for k, v in item.items() if k not in _CHOICE_KEYS and _cell(v)}
            text = self._text(item.get("label"), _CHOICES, choice_row, "label")
            q.choices.append(Choice(str(item.get("name", "")), text, bool(flag), data))
            p.choices.append(choice_row or 0)

    def _choice_rows(self, list_name: str, items: list[dict[str, Any]]) -> list[int | None]:
        """The Excel row of each choice of a list (the n-th of a name is its n-th row)."""
        seen: dict[str, int] = {}
        found: list[int | None] = []
        for item in items:
            name = str(item.get("name", ""))
            rows: list[int] = self.choice_rows.get((list_name, name), [])
            n = seen[name] = seen.get(name, -1) + 1
            found.append(rows[n] if n < len(rows) else None)
        return found

    def _range(self, child: dict[str, Any], q: Question, row: int | None, p: Places) -> None:
        params: dict[str, Any] = child.get("parameters") or {}
        numbers: dict[str, float] = {"start": 1, "end": 10, "step": 1}
        for key in numbers:
            if (value := _cell(params.get(key))) is not None:
                number = cell_number(value)
                if number is None:
                    self.errors.add(
                        self.sheet(_SURVEY), row, "parameters", f"{key}={value}: give a number"
                    )
                    return
                numbers[key] = number
        start, end, step = numbers["start"], numbers["end"], numbers["step"]
        points = (end - start) / step + 1 if step else 0
        whole = start.is_integer() and end.is_integer()
        if step == 1 and whole and 2 <= points <= MAX_SCALE_POINTS:
            q.scale = Scale(int(start), int(end))
            if (name := _extra(child, "labels")) is not None:
                self._range_labels(name, q.scale, row, p)
            return
        # A slider too long or too fine for a Likert scale: a number within its bounds.
        q.type = "number"
        low, high = (start, end) if start <= end else (end, start)
        bounds = f". >= {_num(low)} and . <= {_num(high)}"
        if step and step != 1:
            bounds += f" and (. - {_num(start)}) mod {_num(step)} = 0"
        q.constraint = f"({bounds}) and ({q.constraint})" if q.constraint else bounds

    def _range_labels(self, name: str, scale: Scale, row: int | None, p: Places) -> None:
        lists = [(key[1], rows) for key, rows in self.choice_rows.items() if key[0] == name]
        if not lists:
            self.errors.add(
                self.sheet(_SURVEY), row, "labels",
                f"choice list {name!r} is not defined on sheet 'choices'",
            )  # fmt: skip
            return
        choices = self.definition.choices or []
        for choice, rows in lists:
            for number in rows:
                if not _WHOLE.fullmatch(choice):
                    self.errors.add(
                        self.sheet(_CHOICES), number, "name",
                        f"list {name!r} labels a range: name its choices 1, 2, ...",
                    )  # fmt: skip
                    continue
                raw = choices[number - 2]
                texts = {k.split("::", 1)[1] if "::" in k else "default": v
                         for k, v in raw.items() if k.lower().startswith("label")}  # fmt: skip
                scale.labels[int(choice)] = self._text(texts, _CHOICES, number, "label")
                p.labels[int(choice)] = number

    def _answer(self, child: dict[str, Any], q: Question, row: int | None) -> None:
        """Tadrib's `answer` column: the key, overriding `correct` on the choices sheet."""
        answer = _extra(child, "answer")
        if not answer:
            return
        sheet = self.sheet(_SURVEY)
        if q.type in ("single", "multiple"):
            names = set(answer.replace(",", " ").split())
            if unknown := sorted(names - {c.id for c in q.choices}):
                listed = ", ".join(map(repr, unknown))
                message = f"{listed} is not among this question's choices"
                self.errors.add(sheet, row, "answer", message)
            for choice in q.choices:
                choice.correct = choice.id in names
        elif q.type == "truefalse":
            if (flag := cell_flag(answer)) is None:
                self.errors.add(sheet, row, "answer", f"{answer!r}: give true or false")
            q.answer = flag
        elif q.type == "number":
            if (number := cell_number(answer)) is None:
                self.errors.add(sheet, row, "answer", f"{answer!r}: give a number")
            q.answer = number
        else:
            self.errors.add(sheet, row, "answer", f"{q.type} questions are not scored; clear it")

    # -- settings ----------------------------------------------------------------------------

    def _build(self, form: dict[str, Any], questions: list[Question]) -> QuestionSet:
        sheet = self.sheet(_SETTINGS)
        raw = _lower_keys((self.definition.settings or [{}])[0] if self.definition.settings else {})
        stem = PurePath(self.filename).stem.lower()
        form_id = raw.get("form_id") or re.sub(r"[^a-z0-9._-]+", "-", stem).strip("-._") or "form"
        has_title = any(k.split(":")[0] in ("form_title", "set_form_title", "title") for k in raw)
        title = self._text(form.get("title"), _SETTINGS, 2, "form_title") if has_title else {}
        if not title:
            title = dict.fromkeys(self.languages, form_id)
        keyed = any(q.answer is not None or any(c.correct for c in q.choices) for q in questions)
        kind: Kind = "test" if keyed else "evaluation"
        given = _extra(form, "kind") or ""
        if given.lower() in ("test", "evaluation"):
            kind = "test" if given.lower() == "test" else "evaluation"
        elif given:
            self.errors.add(sheet, 2, "kind", f"kind is {given!r}; use test or evaluation")
        value = _extra(form, "pass_mark")
        pass_mark = cell_number(value.rstrip("%")) if value else None
        if pass_mark is not None and 0 < pass_mark < 1:
            pass_mark = round(pass_mark * 100, 9)  # a 70% cell holds 0.7; no pass mark is 0.7%
        if value and pass_mark is None:
            message = f"pass_mark is {value!r}; give a percent, e.g. 70"
            self.errors.add(sheet, 2, "pass_mark", message)
        descriptions = {k.split("::", 1)[1] if "::" in k else "default": v
                        for k, v in raw.items() if k.split("::")[0] == "description"}  # fmt: skip
        description = self._text(descriptions, _SETTINGS, 2, "description") or None
        version = _cell(form.get("version"))
        qs = QuestionSet(
            form_id, version or "0", kind, title, self.languages, questions, pass_mark, description
        )
        if not version:
            qs.version = "auto-" + content_hash(qs)[:10]
            self.warnings.add(
                sheet, None, "version",
                f"no version given; this content is version {qs.version!r} (made from the "
                "content, so it changes whenever the form does); give a version to choose it",
            )  # fmt: skip
        return qs


def _label_specs(element: dict[str, Any], specs: list[str]) -> None:
    """The language parts of every label in the survey, in order of appearance."""
    for child in element.get("children", []):
        label = child.get("label")
        for spec in ["default"] if isinstance(label, str) else list(label or {}):
            if spec not in specs:
                specs.append(str(spec))
        _label_specs(child, specs)


def _rows_by_key(rows: Any, keys: tuple[str, ...]) -> dict[tuple[str, ...], list[int]]:
    """Excel rows by the values of `keys` (e.g. a question's name), in sheet order."""
    out: dict[tuple[str, ...], list[int]] = {}
    for index, row in enumerate(rows):
        low = _lower_keys(row)
        value = tuple(low.get(key, "") for key in keys)
        if all(value):
            out.setdefault(value, []).append(index + 2)
    return out


def _lower_keys(row: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in row.items():
        out["_".join(str(key).strip().lower().split())] = str(value).strip()
    return out


def _extra(element: dict[str, Any], key: str) -> str | None:
    """One of Tadrib's own columns (pyxform keeps them as written, whatever their case)."""
    if key in element:
        return _cell(element[key])
    return next((_cell(v) for k, v in element.items() if str(k).strip().lower() == key), None)


def _cell(value: object) -> str | None:
    """A cell's text, or None when blank or not text."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _num(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _split_where(error: FormError, filename: str) -> tuple[str, int | None, str | None]:
    """(sheet, row, column) from a place written by `forms.xlsform_places.where`."""
    sheet = re.search(r"sheet '([^']*)'", error.where)
    row = re.search(r", row (\d+)", error.where)
    column = re.search(r"column '([^']*)'", error.where)
    return (
        sheet[1] if sheet else _SURVEY,
        int(row[1]) if row else None,
        column[1] if column else None,
    )
