"""The XLSForm template admins download: sheets, headers, an example of each type and help."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter

from forms.xlsform import TYPES

_LANGS = (("English", "en"), ("French", "fr"), ("Arabic", "ar"))
_LABELS = [f"label::{name} ({code})" for name, code in _LANGS]
_HINTS = [f"hint::{name} ({code})" for name, code in _LANGS]
_TITLES = [f"form_title::{name} ({code})" for name, code in _LANGS]

_SURVEY_HEADER = ["type", "name", *_LABELS, *_HINTS, "required", "topic", "points", "answer"]
SURVEY: list[list[Any]] = [
    [*_SURVEY_HEADER, "tolerance", "parameters", "labels", "appearance", "relevant", "constraint",
     "constraint_message::English (en)", "constraint_message::French (fr)",
     "constraint_message::Arabic (ar)"],
    ["note", "intro", "Answer every question on your own.", "Répondez seul à chaque question.",
     "أجب عن كل سؤال بمفردك."],
    ["begin group", "definitions", "Definitions", "Définitions", "تعاريف"],
    ["select_one elements", "q1", "Which three elements make up trafficking in persons?",
     "Quels sont les trois éléments de la traite des personnes ?",
     "ما هي العناصر الثلاثة للاتجار بالأشخاص؟", "One answer", "Une seule réponse",
     "إجابة واحدة", "yes"],
    ["select_multiple means", "q2", "Which of these are means of trafficking?",
     "Lesquels sont des moyens de la traite ?", "أي مما يلي من وسائل الاتجار؟",
     "All that apply", "Toutes les bonnes réponses", "كل الإجابات الصحيحة", "yes", None, 2,
     "fraud abuse"],
    ["select_one means", "q3", "Which means is used most often in the cases you know?",
     "Quel moyen est le plus souvent utilisé dans les cas que vous connaissez ?",
     "ما الوسيلة الأكثر استعمالا في الحالات التي تعرفها؟", None, None, None, "yes", None, None,
     "abuse"],
    ["end group"],
    ["truefalse", "q4", "For a child, no means are needed.",
     "Pour un enfant, aucun moyen n'est nécessaire.", "بالنسبة للطفل، لا يلزم توفر أي وسيلة.",
     None, None, None, "yes", "law", None, "true"],
    ["integer", "q5", "How many victims were reported in Morocco in 2017?",
     "Combien de victimes ont été signalées au Maroc en 2017 ?",
     "كم عدد الضحايا المبلغ عنهم في المغرب سنة 2017؟", None, None, None, "yes", "figures", None,
     27, 2],
    ["range", "e1", "How confident are you to train colleagues?",
     "Êtes-vous prêt(e) à former vos collègues ?", "ما مدى استعدادك لتكوين زملائك؟", None, None,
     None, None, "confidence", None, None, None, "start=1 end=5", "agree"],
    ["date", "trained_on", "When were you last trained on these laws?",
     "Quand avez-vous été formé(e) sur ces lois pour la dernière fois ?",
     "متى تلقيت آخر تكوين حول هذه القوانين؟", None, None, None, None, None, None, None, None,
     None, None, None, None, ". <= today()", "The date cannot be in the future.",
     "La date ne peut pas être dans le futur.", "لا يمكن أن يكون التاريخ في المستقبل."],
    ["text", "trained_by", "Who trained you?", "Qui vous a formé(e) ?", "من قام بتكوينك؟",
     None, None, None, None, None, None, None, None, None, None, None, "${trained_on} != ''"],
    ["text", "comments", "Comments", "Commentaires", "ملاحظات"],
]  # fmt: skip
CHOICES: list[list[Any]] = [
    ["list_name", "name", *_LABELS, "correct"],
    ["elements", "amp", "Act, means, purpose", "Acte, moyen, but", "الفعل والوسيلة والغرض", 1],
    ["elements", "bcm", "Border, consent, money", "Frontière, consentement, argent",
     "الحدود والموافقة والمال"],
    ["means", "fraud", "Fraud", "Fraude", "الاحتيال", 1],
    ["means", "abuse", "Abuse of a position of vulnerability",
     "Abus d'une situation de vulnérabilité", "استغلال حالة الضعف", 1],
    ["means", "visa", "A tourist visa", "Un visa touristique", "تأشيرة سياحية"],
    ["agree", 1, "Not at all", "Pas du tout", "إطلاقا"],
    ["agree", 3, "Somewhat", "En partie", "إلى حد ما"],
    ["agree", 5, "Fully", "Tout à fait", "تماما"],
]  # fmt: skip
SETTINGS: list[list[Any]] = [
    ["form_id", "version", *_TITLES, "kind", "pass_mark", "default_language"],
    ["my-knowledge-test", "2019.1", "Knowledge test", "Test de connaissances", "اختبار المعارف",
     "test", 70, "English (en)"],
]  # fmt: skip
HELP = [
    ("Tadrib XLSForm template", ""),
    ("survey", "One row per question. type: " + ", ".join(TYPES) + ", begin group, end group."),
    ("", "select_one LIST / select_multiple LIST take their choices from sheet 'choices'."),
    ("", "range: a Likert item; parameters start=1 end=5; labels names a list of the values."),
    ("", "truefalse is Tadrib's own type (answer true or false); note is shown, not answered."),
    ("", "A plain label or hint column is in settings' default_language."),
    ("required", "yes, or empty for no (as in XLSForm)."),
    ("topic", "For per-topic results; empty means the name of the question's group."),
    ("points", "Points for a right answer (default 1). Tests only."),
    ("answer", "The key: choice names separated by spaces, a number, or true/false. It overrides"),
    ("", "the correct column, so several questions can share one list."),
    ("tolerance", "For integer/decimal: answers this far from the key still count as right."),
    ("partial", "yes on a select_multiple gives partial credit."),
    ("correct", "On sheet 'choices': 1 marks a correct choice."),
    ("settings", "form_id, version (as text), form_title (one per language), kind (test or"),
    ("", "evaluation; default: test when a key is given), pass_mark (percent)."),
    ("logic", "relevant, constraint (with constraint_message), calculation, choice_filter,"),
    ("", "default and a required condition run on the phone: XPath as in XLSForm, ${name} refs."),
    ("", "Types also include date, time, datetime, calculate and acknowledge."),
    ("not supported", "repeats, geopoint, image, audio, video, file, barcode, rank, external"),
    ("", "selects, search(), pulldata(), entities: the check names them with their rows."),
]


def template_bytes() -> bytes:
    """The template .xlsx; it loads back into a valid knowledge test."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1})
    rtl = book.add_format({"reading_order": 2})
    for name, rows in (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS)):
        sheet = book.add_worksheet(name)
        _write(sheet, rows, header, rtl)
    yes_no = {"validate": "list", "source": ["yes", "no"]}
    required = _SURVEY_HEADER.index("required")
    book.get_worksheet_by_name("survey").data_validation(1, required, 500, required, yes_no)
    help_sheet = book.add_worksheet("help")
    help_sheet.set_column(0, 0, 16, header)
    help_sheet.set_column(1, 1, 100)
    for i, (key, text) in enumerate(HELP):
        help_sheet.write_row(i, 0, [key, text])
    book.close()
    return out.getvalue()


def _write(sheet: Any, rows: list[list[Any]], header: Any, rtl: Any) -> None:
    sheet.write_row(0, 0, rows[0], header)
    sheet.freeze_panes(1, 0)
    for i, row in enumerate(rows[1:], start=1):
        for j, value in enumerate(row):
            if isinstance(value, str):
                # Written as text, so a version such as 2019.10 stays as written.
                sheet.write_string(i, j, value)
            elif value is not None:
                sheet.write_number(i, j, value)
    for j, title in enumerate(rows[0]):
        widest = max(len(str(row[j])) for row in rows if j < len(row) and row[j] is not None)
        arabic = title.endswith("(ar)")
        sheet.set_column(j, j, min(max(widest, len(title)) + 2, 60), rtl if arabic else None)
