"""Every human-facing string of the reports in one place: English, French and Arabic.

The HTML pages are translated; CSV and XLSX headings (`HEADINGS`) stay English on purpose, so
that scripts reading them do not break when someone changes language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The languages of the HTML reports; Arabic is written right to left.
LANGUAGES = ("en", "fr", "ar")
RTL = frozenset({"ar"})

SEXES: dict[str, str] = {
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "undisclosed": "Undisclosed",
}

#: The works the methods note cites, the same in every language.
REFERENCES = (
    "References: Hake, R. R. (1998). Interactive-engagement versus traditional methods: a "
    "six-thousand-student survey of mechanics test data for introductory physics courses. "
    "American Journal of Physics 66(1), 64-74. Lakens, D. (2013). Calculating and reporting "
    "effect sizes to facilitate cumulative science: a practical primer for t-tests and ANOVAs. "
    "Frontiers in Psychology 4, 863. McNemar, Q. (1947). Note on the sampling error of the "
    "difference between correlated proportions or percentages. Psychometrika 12(2), 153-157. "
    "Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin 1(6), "
    "80-83. Moodle developer documentation: Quiz statistics calculations."
)

METHODS: list[str] = [
    "Scores are percents of the maximum score. Pre- and post-tests are matched by participant "
    "code; the first completed submission per participant and phase counts, later ones are "
    "listed as repeats. A participant belongs to the institution and sex given with the "
    "pre-test (else with the post-test). Near-matches, shared codes and changed institutions "
    "are flagged, never merged. A question the form's logic skipped for a participant (not "
    "relevant to their earlier answers) is left out of their score: it counts neither for nor "
    "against them.",
    "Group figures use matched participants only; the unpaired means describe everyone who "
    "took each test. Mean change with a t-based 95% confidence interval and the paired t-test; "
    "Wilcoxon signed-rank test (Wilcoxon 1945) with Wilcoxon's zero method ('wilcox'): "
    "zero changes are "
    "dropped before ranking and tied changes share their average rank; its p is exact when no "
    "ties remain among at most 50 changes, from all sign permutations when ties remain among "
    "at most 13, else from the normal approximation with the tie correction (scipy). Cohen's "
    "d_z = mean change / SD of changes (Lakens 2013). Inferential figures are shown only where "
    "at least 5 participants are matched and the changes vary.",
    "Hake's class gain <g> = (post mean - pre mean) / (100 - pre mean) (Hake 1998); the "
    "average of individual gains leaves out participants who scored 100% on the pre-test "
    "(their number is given). Improved means a higher post score; pass means at or above the "
    "test's pass mark.",
    "A question is correct only with full points; % correct is over everyone who took that test "
    "and was asked the question. McNemar's exact test (McNemar 1947), as a two-sided binomial "
    "test of b among b + c with probability 1/2, compares wrong-to-right (b) with right-to-wrong "
    "(c) among matched participants. Item and test statistics follow the formulas of Moodle's "
    "quiz statistics report on the first attempt: facility index, discrimination index "
    "(item-rest correlation), discriminative efficiency, skewness and kurtosis from "
    "k-statistics, coefficient of internal consistency (Cronbach's alpha / KR-20, in percent), "
    "error ratio = 100 sqrt(1 - CIC/100), standard error = error ratio x SD / 100.",
    "Each submission is scored with the version of the test the participant answered. "
    "Questions are matched across versions by their id. A question counts only for the people "
    "who were asked it: a question that only some versions have, or that the form's logic "
    "skipped for some participants, is left out for them of the per-question % correct, the "
    "McNemar pairs, the item statistics (facility, discrimination and discriminative "
    "efficiency, against the rest of the questions each was asked), the topic means and the "
    "heat map; the number asked is given per question, and each item's score is taken as a "
    "fraction of its maximum in that version. A question shown and left blank counts as "
    "wrong. When not everyone was asked every question, the coefficient of internal "
    "consistency, error ratio and standard error are computed on the takers of the most "
    "answered version, over the questions every one of them was asked: a question shown only "
    "to some is left out rather than the people who saw it, a group the logic picked. The "
    "report gives both numbers.",
    "Evaluation: top-two-box is the percent of answers on the two highest levels of the "
    "scale. Comments are shown as written, with the institution only.",
    "Precision: scores are kept as percents rounded to 1e-9 of a point before any rank, "
    "comparison or equality, so that rounding in the computer (50 computed as "
    "49.99999999999999) never parts two equal changes in the Wilcoxon ranks, never decides "
    "who improved, passed or had a full pre-test, and never decides a right or wrong answer.",
    REFERENCES,
]

#: Column headings of the tables (CSV, XLSX, HTML), keyed by the JSON name.
HEADINGS: dict[str, str] = {
    "key": "Group",
    "name": "Name",
    "n_matched": "Matched (n)",
    "pre_n": "Took pre-test (n)",
    "pre_all_mean": "Pre mean, all takers (%)",
    "post_n": "Took post-test (n)",
    "post_all_mean": "Post mean, all takers (%)",
    "pre_mean": "Pre mean (%)",
    "post_mean": "Post mean (%)",
    "mean_change": "Mean change (points)",
    "sd_change": "SD of change",
    "ci95_low": "95% CI low",
    "ci95_high": "95% CI high",
    "t": "t",
    "df": "df",
    "p": "p (paired t)",
    "wilcoxon_p": "p (Wilcoxon)",
    "cohen_dz": "Cohen's d_z",
    "hake_g": "Hake <g>",
    "g_avg": "Average gain g_avg",
    "g_avg_excluded": "Left out of g_avg (pre = 100%)",
    "pct_improved": "Improved (%)",
    "pct_pass_pre": "Pass pre (%)",
    "pct_pass_post": "Pass post (%)",
    "n_followup": "Follow-up (n)",
    "followup_mean": "Follow-up mean (%)",
    "followup_change": "Follow-up minus post (points)",
    "followup_ci95_low": "Follow-up change 95% CI low",
    "followup_ci95_high": "Follow-up change 95% CI high",
    "followup_p": "p (paired t, follow-up vs post)",
    "retention": "Retention",
}


#: Sex names per language (the JSON keeps the English ones in `SEXES`).
SEX_NAMES: dict[str, tuple[str, str, str]] = {
    "female": ("Female", "Femmes", "إناث"),
    "male": ("Male", "Hommes", "ذكور"),
    "other": ("Other", "Autre", "آخر"),
    "undisclosed": ("Undisclosed", "Non précisé", "غير مصرح به"),
}

# key: (English, French, Arabic); placeholders are filled with str.format.
UI: dict[str, tuple[str, str, str]] = {
    # Frame
    "report_title": ("Report: {title}", "Rapport : {title}", "التقرير: {title}"),
    "downloads": ("Downloads", "Téléchargements", "التنزيلات"),
    "back_to_training": ("Back to the training", "Retour à la formation", "العودة إلى الدورة"),
    "back_to_console": ("Back to the console", "Retour à la console", "العودة إلى لوحة التحكم"),
    "excel": ("Excel", "Excel", "Excel"),
    "csv": ("CSV", "CSV", "CSV"),
    "json": ("JSON", "JSON", "JSON"),
    "dates": ("{start} to {end}", "du {start} au {end}", "من {start} إلى {end}"),
    "generated": ("report generated {when}", "rapport généré le {when}", "أُعدّ التقرير في {when}"),
    "simulated_banner": (
        "This report contains simulated participants (demonstration data).",
        "Ce rapport contient des participants simulés (données de démonstration).",
        "يتضمن هذا التقرير مشاركين افتراضيين (بيانات للعرض).",
    ),
    "language": ("Language", "Langue", "اللغة"),
    # Summary
    "summary": ("Summary", "Synthèse", "الملخص"),
    "kpi_matched": (
        "participants with both tests (of {n})",
        "participants ayant passé les deux tests (sur {n})",
        "مشاركون أجروا الاختبارين (من أصل {n})",
    ),
    "kpi_means": (
        "mean score, % of maximum",
        "score moyen, en % du maximum",
        "متوسط النتيجة، % من الحد الأقصى",
    ),
    "kpi_gain": ("points gained", "points gagnés", "نقاط مكتسبة"),
    "ci_short": ("95% CI {ci}", "IC à 95 % {ci}", "فترة الثقة 95% {ci}"),
    "kpi_improved": ("improved their score", "ont amélioré leur score", "حسّنوا نتيجتهم"),
    "flow": ("Participant flow", "Flux des participants", "تدفق المشاركين"),
    "registered": ("Registered", "Inscrits", "المسجلون"),
    "pre_test": ("Pre-test", "Pré-test", "الاختبار القبلي"),
    "post_test": ("Post-test", "Post-test", "الاختبار البعدي"),
    "matched": ("Matched", "Appariés", "المطابَقون"),
    "pre_only": ("Pre only", "Pré seul", "القبلي فقط"),
    "post_only": ("Post only", "Post seul", "البعدي فقط"),
    "evaluation": ("Evaluation", "Évaluation", "التقييم"),
    "repeats": ("Repeats", "Répétitions", "التكرارات"),
    # Follow-up
    "followup_heading": ("Follow-up test", "Test de suivi", "اختبار المتابعة"),
    "followup_flow": (
        "{n} participants took the follow-up test.",
        "{n} participants ont passé le test de suivi.",
        "أجرى {n} مشاركًا اختبار المتابعة.",
    ),
    "followup_caption": (
        "What participants still knew at the follow-up, among those who took all three tests",
        "Ce que les participants savaient encore lors du suivi, parmi ceux qui ont passé les "
        "trois tests",
        "ما بقي لدى المشاركين عند المتابعة، من بين من أجروا الاختبارات الثلاثة",
    ),
    "followup_n": ("All three tests (n)", "Les trois tests (n)", "الاختبارات الثلاثة (ع)"),
    "followup_pct": ("Follow-up (%)", "Suivi (%)", "المتابعة (%)"),
    "followup_change": (
        "Follow-up minus post (points)",
        "Suivi moins post-test (points)",
        "المتابعة ناقص البعدي (نقاط)",
    ),
    "retention": ("Retention", "Rétention", "الاحتفاظ"),
    "retention_method": (
        "Retention = mean (follow-up - pre) / mean (post - pre) over the same participants: 1 "
        "means everything gained was kept, 0 that it was all lost; not given when the mean gain "
        "is not positive. Paired t-test of follow-up against post-test. Figures are shown only "
        "where at least 5 participants took all three tests.",
        "Rétention = moyenne (suivi - pré) / moyenne (post - pré) sur les mêmes participants : 1 "
        "signifie que tout l'acquis a été conservé, 0 qu'il a été perdu ; non donnée quand le "
        "gain moyen n'est pas positif. Test t apparié du suivi contre le post-test. Les chiffres "
        "ne sont donnés que si au moins 5 participants ont passé les trois tests.",
        "الاحتفاظ = متوسط (المتابعة - القبلي) / متوسط (البعدي - القبلي) لدى المشاركين أنفسهم: 1 "
        "يعني الاحتفاظ بكل ما اكتُسب، و0 ضياعه كله؛ ولا يُعطى إذا لم يكن متوسط المكسب موجبًا. "
        "اختبار t المزدوج للمتابعة مقابل الاختبار البعدي. لا تُعرض الأرقام إلا إذا أجرى 5 "
        "مشاركين على الأقل الاختبارات الثلاثة.",
    ),
    # Groups
    "by_institution": (
        "Results by institution",
        "Résultats par institution",
        "النتائج حسب المؤسسة",
    ),
    "groups_caption": (
        "Matched participants, scores in % of the maximum",
        "Participants appariés, scores en % du maximum",
        "المشاركون المطابَقون، النتائج بالنسبة المئوية من الحد الأقصى",
    ),
    "by_sex": ("By sex", "Par sexe", "حسب الجنس"),
    "sex_caption": (
        "Matched participants by sex",
        "Participants appariés par sexe",
        "المشاركون المطابَقون حسب الجنس",
    ),
    "overall": ("All participants", "Tous les participants", "جميع المشاركين"),
    "group": ("Group", "Groupe", "الفئة"),
    "pre_pct": ("Pre %", "Pré %", "القبلي %"),
    "post_pct": ("Post %", "Post %", "البعدي %"),
    "change": ("Change", "Évolution", "التغير"),
    "ci95": ("95% CI", "IC 95 %", "فترة الثقة 95%"),
    "p_t": ("p (t)", "p (t)", "p (t)"),
    "p_w": ("p (W)", "p (W)", "p (W)"),
    "improved_pct": ("Improved %", "En progrès %", "المتحسنون %"),
    "pass_pre_pct": ("Pass pre %", "Réussite pré %", "النجاح القبلي %"),
    "pass_post_pct": ("Pass post %", "Réussite post %", "النجاح البعدي %"),
    "g_avg_left_out": (
        "left out: pre-test at 100%",
        "exclus : pré-test à 100 %",
        "مستبعدون: 100% في الاختبار القبلي",
    ),
    "unpaired": (
        "Unpaired means of everyone who took each test:",
        "Moyennes non appariées de toutes les personnes ayant passé chaque test :",
        "المتوسطات غير المزدوجة لكل من أجرى كل اختبار:",
    ),
    "unpaired_group": (
        "{name} pre {pre} (n={pre_n}), post {post} (n={post_n})",
        "{name} pré {pre} (n={pre_n}), post {post} (n={post_n})",
        "{name} القبلي {pre} (n={pre_n})، البعدي {post} (n={post_n})",
    ),
    # Questions
    "questions": ("Questions", "Questions", "الأسئلة"),
    "items_caption": (
        "Per question: % correct (everyone who took the test and was asked the question), "
        "McNemar among the matched, Moodle item statistics on the post-test",
        "Par question : % de bonnes réponses (toutes les personnes ayant passé le test à qui "
        "la question a été posée), McNemar parmi les appariés, statistiques d'items Moodle sur "
        "le post-test",
        "لكل سؤال: نسبة الإجابات الصحيحة (كل من أجرى الاختبار وطُرح عليه السؤال)، اختبار "
        "ماكنمار بين المطابَقين، وإحصاءات البنود وفق Moodle على الاختبار البعدي",
    ),
    "question": ("Question", "Question", "السؤال"),
    "topic": ("Topic", "Thème", "المحور"),
    "source": ("Source", "Source", "المرجع"),
    "takers": ("n pre / post", "n pré / post", "n قبلي / بعدي"),
    "facility": ("Facility", "Facilité", "السهولة"),
    "discrimination": ("Discrim.", "Discrim.", "التمييز"),
    "disc_eff": ("Disc. eff.", "Eff. discr.", "كفاءة التمييز"),
    "no_questions": ("No scored questions.", "Aucune question notée.", "لا توجد أسئلة منقطة."),
    "topics_caption": (
        "Per topic (mean % of the topic's points)",
        "Par thème (moyenne en % des points du thème)",
        "حسب المحور (متوسط النسبة المئوية من نقاط المحور)",
    ),
    "n_questions": ("Questions", "Questions", "الأسئلة"),
    "change_matched": ("Change (matched)", "Évolution (appariés)", "التغير (المطابَقون)"),
    "heat_title": (
        "Where each group still needs training: post-test % correct",
        "Là où chaque groupe a encore besoin de formation : % de bonnes réponses au post-test",
        "أين لا تزال كل فئة بحاجة إلى التكوين: نسبة الإجابات الصحيحة في الاختبار البعدي",
    ),
    "test_stats_caption": (
        "Test statistics (Moodle); scores in % of the maximum",
        "Statistiques du test (Moodle) ; scores en % du maximum",
        "إحصاءات الاختبار (Moodle)؛ النتائج بالنسبة المئوية من الحد الأقصى",
    ),
    "consistency_note": (
        "{test}: internal consistency on {n} participants and the {k} questions every one of "
        "them was asked (version {version}).",
        "{test} : cohérence interne calculée sur {n} participants et les {k} questions posées à "
        "chacun d'eux (version {version}).",
        "{test}: الاتساق الداخلي محسوب على {n} مشاركين و{k} أسئلة طُرحت عليهم جميعا "
        "(الإصدار {version}).",
    ),
    "test": ("Test", "Test", "الاختبار"),
    "mean": ("Mean", "Moyenne", "المتوسط"),
    "median": ("Median", "Médiane", "الوسيط"),
    "sd": ("SD", "Écart-type", "الانحراف المعياري"),
    "skewness": ("Skewness", "Asymétrie", "الالتواء"),
    "kurtosis": ("Kurtosis", "Aplatissement", "التفلطح"),
    "cic": ("CIC", "CCI", "معامل الاتساق"),
    "error_ratio": ("Error ratio", "Taux d'erreur", "نسبة الخطأ"),
    "std_error": ("Std. error", "Erreur type", "الخطأ المعياري"),
    # Evaluation
    "answers_caption": ("Answers per question", "Réponses par question", "الإجابات حسب السؤال"),
    "answers": ("Answers", "Réponses", "الإجابات"),
    "top_two": ("Top two %", "Deux meilleurs %", "أعلى مستويين %"),
    "comments": ("Comments ({n})", "Commentaires ({n})", "التعليقات ({n})"),
    # Checks
    "to_check": ("To check", "À vérifier", "للتحقق"),
    "check_near": (
        "Codes {a} (pre only) and {b} (post only) differ by one character: perhaps one person.",
        "Les codes {a} (pré seul) et {b} (post seul) diffèrent d'un caractère : peut-être une "
        "seule personne.",
        "الرمزان {a} (القبلي فقط) و{b} (البعدي فقط) يختلفان بحرف واحد: ربما شخص واحد.",
    ),
    "check_shared": (
        "Code {code} may be shared by two people: {reasons}.",
        "Le code {code} est peut-être partagé par deux personnes : {reasons}.",
        "قد يكون الرمز {code} مشتركا بين شخصين: {reasons}.",
    ),
    "reason_devices": (
        "{phase} sent from {n} devices",
        "{n} appareils différents {phase}",
        "إرسال من أجهزة مختلفة عددها {n} {phase}",
    ),
    "reason_sex": (
        "{phase} answered as {first} and as {later}",
        "sexe « {first} » puis « {later} » {phase}",
        "الجنس «{first}» ثم «{later}» {phase}",
    ),
    "reason_institution": (
        "{phase} answered from {first} and from {later}",
        "institution {first} puis {later} {phase}",
        "المؤسسة {first} ثم {later} {phase}",
    ),
    "reason_sep": ("; ", " ; ", "؛ "),
    "check_institution": (
        "Code {code} gave institution {pre} before and {post} after; counted with {pre}.",
        "Le code {code} a indiqué l'institution {pre} avant et {post} après ; compté avec {pre}.",
        "الرمز {code} أشار إلى المؤسسة {pre} قبل و{post} بعد؛ احتُسب مع {pre}.",
    ),
    "check_timing": (
        "{n} counted submission(s) flagged “{flag}”.",
        "{n} envoi(s) compté(s) signalé(s) « {flag} ».",
        "{n} من الإرسالات المحتسبة عليها علامة «{flag}».",
    ),
    "check_repeats": (
        "{n} repeated submission(s); the first completed one per person and phase counts.",
        "{n} envoi(s) répété(s) ; le premier terminé par personne et par phase compte.",
        "{n} من الإرسالات المكررة؛ يُحتسب أول إرسال مكتمل لكل شخص وكل مرحلة.",
    ),
    # Footer
    "methods": ("Methods.", "Méthodes.", "المنهجية."),
    "question_sets": ("Question sets", "Questionnaires", "الاستبيانات"),
    "form_ref": (
        "{phase} {form} v{version}",
        "{phase} {form} v{version}",
        "{phase} {form} الإصدار {version}",
    ),
    "pass_mark": ("pass mark {mark}%", "seuil de réussite {mark} %", "عتبة النجاح {mark}%"),
    "pseudonymous": (
        "Participants are identified by pseudonymous codes only.",
        "Les participants ne sont identifiés que par des codes pseudonymes.",
        "لا يُعرَّف المشاركون إلا برموز مستعارة.",
    ),
    "versions_answered": (
        "{phase}: versions answered {versions}.",
        "{phase} : versions utilisées {versions}.",
        "{phase}: الإصدارات المستعملة {versions}.",
    ),
    # Charts
    "chart_dumbbells": (
        "Mean score before and after the training, by group",
        "Score moyen avant et après la formation, par groupe",
        "متوسط النتيجة قبل التكوين وبعده، حسب الفئة",
    ),
    "chart_questions": (
        "Percent correct per question, before and after",
        "Pourcentage de bonnes réponses par question, avant et après",
        "نسبة الإجابات الصحيحة لكل سؤال، قبل وبعد",
    ),
    "chart_likert": (
        "Evaluation answers, disagreement left and agreement right",
        "Réponses d'évaluation, désaccord à gauche et accord à droite",
        "إجابات التقييم، عدم الموافقة يسارا والموافقة يمينا",
    ),
    "chart_heat": (
        "Post-test percent correct per question and institution",
        "Pourcentage de bonnes réponses au post-test par question et institution",
        "نسبة الإجابات الصحيحة في الاختبار البعدي حسب السؤال والمؤسسة",
    ),
    "pre": ("Pre", "Pré", "قبلي"),
    "post": ("Post", "Post", "بعدي"),
    "no_matched": (
        "no matched participants",
        "aucun participant apparié",
        "لا يوجد مشاركون مطابَقون",
    ),
    # Programme
    "programme_title": ("Programme results", "Résultats du programme", "نتائج البرنامج"),
    "programme_intro": (
        "Across the trainings you may see: {n} training(s).",
        "Sur les formations que vous pouvez voir : {n} formation(s).",
        "عبر الدورات التي يمكنك الاطلاع عليها: {n} دورة.",
    ),
    "filters": ("Filters", "Filtres", "عوامل التصفية"),
    "country": ("Country", "Pays", "البلد"),
    "period": ("Period", "Période", "الفترة"),
    "all": ("All", "Tous", "الكل"),
    "apply": ("Apply", "Appliquer", "تطبيق"),
    "trainings": ("Trainings", "Formations", "الدورات"),
    "reached": ("Reached", "Atteints", "المستفيدون"),
    "kpi_reached": (
        "people reached (registered), {m} with both tests",
        "personnes atteintes (inscrites), dont {m} avec les deux tests",
        "شخصا تم الوصول إليهم (مسجلون)، منهم {m} أجروا الاختبارين",
    ),
    "by_country": ("By country", "Par pays", "حسب البلد"),
    "by_period": (
        "By period (quarter of the start date)",
        "Par période (trimestre de début)",
        "حسب الفترة (ربع سنة تاريخ البدء)",
    ),
    "institutions_all": ("By institution", "Par institution", "حسب المؤسسة"),
    "cascade": ("Cascade", "Cascade", "التكوين المتتالي"),
    "cascade_intro": (
        "A training of trainers (generation 0) and the trainings its trainers delivered "
        "(generation 1, then 2, ...).",
        "Une formation de formateurs (génération 0) et les formations dispensées par ses "
        "formateurs (génération 1, puis 2, ...).",
        "دورة تكوين المكوّنين (الجيل 0) والدورات التي قدّمها مكوّنوها (الجيل 1، ثم 2، ...).",
    ),
    "generation": ("Generation", "Génération", "الجيل"),
    "generation_n": ("Generation {n}", "Génération {n}", "الجيل {n}"),
    "gains_by_generation": ("Gains per generation", "Gains par génération", "المكتسبات حسب الجيل"),
    "reached_by_institution": (
        "People reached per institution",
        "Personnes atteintes par institution",
        "الأشخاص الذين تم الوصول إليهم حسب المؤسسة",
    ),
    "tree": (
        "Trainings in this cascade",
        "Formations de cette cascade",
        "دورات هذا التكوين المتتالي",
    ),
    "institution": ("Institution", "Institution", "المؤسسة"),
    "total": ("Total", "Total", "المجموع"),
    "all_trainings": ("All trainings", "Toutes les formations", "جميع الدورات"),
    "training": ("Training", "Formation", "الدورة"),
    "starts_on": ("Start", "Début", "البداية"),
    "no_trainings": (
        "No training matches these filters.",
        "Aucune formation ne correspond à ces filtres.",
        "لا توجد دورة تطابق عوامل التصفية هذه.",
    ),
    "programme_methods": (
        "Programme figures pool participants across trainings (never averages of averages); "
        "each training's participants are matched within that training, so a person who "
        "attends two trainings counts in both. Reached: distinct participant codes with any "
        "submission; matched: with both a pre- and a post-test. The period is the quarter of "
        "the training's start date. A training's generation is the number of parent links up "
        "to its training of trainers.",
        "Les chiffres du programme regroupent les participants de toutes les formations (jamais "
        "des moyennes de moyennes) ; les participants sont appariés au sein de chaque formation, "
        "si bien qu'une personne qui suit deux formations compte dans les deux. Atteints : "
        "codes de participants distincts ayant au moins un envoi ; appariés : avec un pré-test "
        "et un post-test. La période est le trimestre de début de la formation. La génération "
        "d'une formation est le nombre de liens « parent » jusqu'à sa formation de formateurs.",
        "تجمع أرقام البرنامج المشاركين عبر الدورات (وليس متوسطات المتوسطات)؛ تتم مطابقة "
        "المشاركين داخل كل دورة، لذا يُحتسب الشخص الذي حضر دورتين في كلتيهما. المستفيدون: "
        "رموز المشاركين المختلفة التي لها إرسال واحد على الأقل؛ المطابَقون: من لهم اختبار قبلي "
        "وبعدي. الفترة هي ربع السنة الذي بدأت فيه الدورة. جيل الدورة هو عدد روابط «الدورة الأم» "
        "حتى دورة تكوين المكوّنين.",
    ),
}

#: Words set inside the sentences of the checks, by what they name; the English ones are the
#: report JSON's own values, so the English sentences read as they always have.
WORDS: dict[str, dict[str, tuple[str, str, str]]] = {
    "phase": {
        "pre": ("pre", "pour le pré-test", "في الاختبار القبلي"),
        "post": ("post", "pour le post-test", "في الاختبار البعدي"),
        "evaluation": ("evaluation", "pour l'évaluation", "في التقييم"),
    },
    "sex": {
        "female": ("female", "femme", "أنثى"),
        "male": ("male", "homme", "ذكر"),
        "other": ("other", "autre", "آخر"),
        "undisclosed": ("undisclosed", "non précisé", "غير مصرح به"),
    },
    "flag": {
        "early": ("early", "en avance", "مبكر"),
        "late": ("late", "en retard", "متأخر"),
        "bad-time": ("bad-time", "heure illisible", "وقت غير صالح"),
        "other-version": ("other-version", "autre version", "إصدار آخر"),
    },
}

_INDEX = {code: i for i, code in enumerate(LANGUAGES)}


def pick_lang(requested: str | None, cookie: str | None = None) -> str:
    """The report language: `?lang=` if known, else the console's cookie, else English."""
    for code in (requested, cookie):
        if code in _INDEX:
            return code
    return "en"


def translate(lang: str, key: str, **values: object) -> str:
    """The UI string `key` in `lang` (English if unknown), with placeholders filled."""
    text = UI[key][_INDEX.get(lang, 0)]
    return text.format(**values) if values else text


def word(kind: str, value: str, lang: str) -> str:
    """`value` (a phase, sex or timing flag) as said inside a sentence in `lang`; unknown values
    stay as they are."""
    words = WORDS[kind].get(value)
    return words[_INDEX.get(lang, 0)] if words else value


def check_reason(lang: str, kind: str, params: Mapping[str, Any]) -> str:
    """One reason a code may be shared by two people, in `lang`; the English is the text the
    report JSON lists under `reasons`."""
    values = {**params, "phase": word("phase", params["phase"], lang)}
    if kind == "sex":
        values.update(
            first=word("sex", params["first"], lang), later=word("sex", params["later"], lang)
        )
    return translate(lang, f"reason_{kind}", **values)


def sex_name(key: str, lang: str) -> str:
    names = SEX_NAMES.get(key)
    return names[_INDEX.get(lang, 0)] if names else key


def methods(lang: str) -> list[str]:
    """The methods footnote of the training report in `lang`."""
    return METHODS_BY_LANG.get(lang, METHODS)


METHODS_FR: list[str] = [
    "Les scores sont exprimés en pourcentage du score maximal. Pré-tests et post-tests sont "
    "appariés par code de participant ; le premier envoi terminé par participant et par phase "
    "compte, les suivants sont listés comme répétitions. Un participant appartient à "
    "l'institution et au sexe indiqués avec le pré-test (sinon avec le post-test). Les codes "
    "presque identiques, partagés ou ayant changé d'institution sont signalés, jamais fusionnés. "
    "Une question que la logique du formulaire a sautée pour un participant (sans objet au vu de "
    "ses réponses précédentes) est exclue de son score : elle ne compte ni pour ni contre lui.",
    "Les chiffres par groupe ne portent que sur les participants appariés ; les moyennes non "
    "appariées décrivent toutes les personnes ayant passé chaque test. Évolution moyenne avec "
    "intervalle de confiance à 95 % (loi de Student) et test t apparié ; test des rangs signés "
    "de Wilcoxon (Wilcoxon 1945) avec la méthode de Wilcoxon pour les zéros (« wilcox ») : "
    "les évolutions "
    "nulles sont écartées avant le classement et les évolutions égales partagent leur rang "
    "moyen ; son p est exact s'il ne reste aucun ex æquo parmi 50 évolutions au plus, tiré de "
    "toutes les permutations de signes s'il en reste parmi 13 au plus, sinon de l'approximation "
    "normale avec correction des ex æquo (scipy) ; d_z de Cohen = évolution moyenne / "
    "écart-type des évolutions (Lakens 2013). Les chiffres inférentiels ne sont donnés que si au "
    "moins 5 participants sont appariés et que les évolutions varient.",
    "Gain de classe de Hake <g> = (moyenne post - moyenne pré) / (100 - moyenne pré) "
    "(Hake 1998) ; la "
    "moyenne des gains individuels exclut les participants ayant obtenu 100 % au pré-test "
    "(leur nombre est indiqué). En progrès : score post plus élevé ; réussite : score égal ou "
    "supérieur au seuil de réussite du test.",
    "Une question n'est juste qu'avec tous ses points ; le % de bonnes réponses porte sur toutes "
    "les personnes ayant passé le test à qui la question a été posée. Le test exact de McNemar "
    "(McNemar 1947), test binomial bilatéral de b parmi b + c avec une probabilité de 1/2, "
    "compare faux-vers-juste (b) et juste-vers-faux (c) chez les participants appariés. Les "
    "statistiques d'items et de test suivent les formules du rapport de statistiques de quiz de "
    "Moodle sur la première tentative : indice de facilité, indice de discrimination "
    "(corrélation item-reste), efficacité discriminante, asymétrie et aplatissement par "
    "k-statistiques, coefficient de cohérence interne (alpha de Cronbach / KR-20, en %), taux "
    "d'erreur = 100 sqrt(1 - CCI/100), erreur type = taux d'erreur x écart-type / 100.",
    "Chaque envoi est noté avec la version du test à laquelle le participant a répondu. Les "
    "questions sont rapprochées d'une version à l'autre par leur identifiant. Une question ne "
    "compte que pour les personnes à qui elle a été posée : une question présente dans "
    "certaines versions seulement, ou que la logique du formulaire a sautée pour certains "
    "participants, est exclue pour eux du % de bonnes réponses, des paires de McNemar, des "
    "statistiques d'items (facilité, discrimination et efficacité discriminante, face au reste "
    "des questions posées à chacun), des moyennes par thème et de la carte de chaleur ; le "
    "nombre de personnes interrogées est donné par question, et le score de chaque item est "
    "rapporté à son maximum dans cette version. Une question affichée et laissée sans réponse "
    "compte comme fausse. Quand tout le monde n'a pas reçu toutes les questions, le "
    "coefficient de cohérence interne, le taux d'erreur et l'erreur type sont calculés sur les "
    "personnes ayant répondu à la version la plus utilisée, sur les questions posées à chacune "
    "d'elles : une question montrée à certains seulement est écartée plutôt que ceux qui l'ont "
    "vue, un groupe choisi par la logique. Le rapport donne ces deux nombres.",
    "Évaluation : les deux meilleurs niveaux (top-two-box) sont le pourcentage de réponses sur "
    "les deux niveaux les plus élevés de l'échelle. Les commentaires sont reproduits tels "
    "qu'écrits, avec la seule institution.",
    "Précision : les scores sont conservés en pourcentages arrondis à 1e-9 point avant tout "
    "classement, comparaison ou égalité, de sorte que les arrondis de l'ordinateur (50 calculé "
    "comme 49,99999999999999) ne séparent jamais deux évolutions égales dans les rangs de "
    "Wilcoxon et ne décident jamais qui a progressé, réussi ou obtenu le maximum au pré-test, "
    "ni si une réponse est juste.",
    REFERENCES,
]

METHODS_AR: list[str] = [
    "النتائج نسب مئوية من النتيجة القصوى. يُطابَق الاختباران القبلي والبعدي برمز المشارك؛ "
    "يُحتسب أول إرسال مكتمل لكل مشارك وكل مرحلة، وتُدرج الإرسالات اللاحقة كتكرارات. ينتمي "
    "المشارك إلى المؤسسة والجنس المصرّح بهما مع الاختبار القبلي (وإلا فمع البعدي). تُرصد الرموز "
    "المتقاربة والمشتركة وتغيّر المؤسسة دون دمجها أبدا. السؤال الذي تخطّاه منطق الاستمارة لمشارك "
    "(لأنه لا ينطبق عليه بحسب إجاباته السابقة) يُستبعد من نتيجته: فلا يُحتسب له ولا عليه.",
    "أرقام الفئات تخص المشاركين المطابَقين فقط؛ والمتوسطات غير المزدوجة تصف كل من أجرى كل "
    "اختبار. متوسط التغير مع فترة ثقة 95% (توزيع t) واختبار t للعينات المزدوجة؛ واختبار "
    "ويلكوكسون للرتب ذات الإشارة (Wilcoxon 1945) بطريقة ويلكوكسون في الأصفار («wilcox»): تُستبعد "
    "التغيرات الصفرية قبل الترتيب وتتقاسم التغيرات المتساوية متوسط رتبها؛ وتكون قيمة p دقيقة "
    "إذا لم يبق أي تساو بين 50 تغيرا على الأكثر، وتُحسب من كل تباديل الإشارات إذا بقي تساو "
    "بين 13 تغيرا على الأكثر، وإلا فمن التقريب الطبيعي مع تصحيح التساوي (scipy)؛ ومعامل كوهين "
    "d_z = متوسط التغير / الانحراف المعياري للتغيرات (Lakens 2013). لا تُعرض الأرقام "
    "الاستدلالية إلا إذا طوبق 5 مشاركين على الأقل وتباينت التغيرات.",
    "مكسب هيك للفئة <g> = (المتوسط البعدي - المتوسط القبلي) / (100 - المتوسط القبلي) "
    "(Hake 1998)؛ ويستبعد "
    "متوسط المكاسب الفردية من حصلوا على 100% في الاختبار القبلي (مع ذكر عددهم). المتحسن: "
    "نتيجة بعدية أعلى؛ الناجح: نتيجة تساوي عتبة نجاح الاختبار أو تفوقها.",
    "لا يكون السؤال صحيحا إلا بكامل نقاطه؛ وتُحسب نسبة الإجابات الصحيحة على كل من أجرى الاختبار "
    "وطُرح عليه السؤال. يقارن اختبار ماكنمار الدقيق (McNemar 1947)، وهو اختبار ذو الحدين ثنائي "
    "الطرف لـ b من بين b + c باحتمال 1/2، الانتقال من الخطأ إلى الصواب (b) بالانتقال من الصواب "
    "إلى الخطأ (c) بين المطابَقين. تتبع إحصاءات البنود والاختبار صيغ تقرير إحصاءات الاختبارات في "
    "Moodle على المحاولة الأولى: مؤشر السهولة، ومؤشر التمييز (ارتباط البند بباقي الاختبار)، "
    "وكفاءة التمييز، والالتواء والتفلطح بإحصاءات k، ومعامل الاتساق الداخلي (ألفا كرونباخ / "
    "KR-20، بالنسبة المئوية)، ونسبة الخطأ = 100 sqrt(1 - CIC/100)، والخطأ المعياري = نسبة الخطأ "
    "x الانحراف المعياري / 100.",
    "يُصحَّح كل إرسال بإصدار الاختبار الذي أجاب عنه المشارك. تُطابَق الأسئلة بين الإصدارات "
    "بمعرّفها. ولا يُحتسب السؤال إلا لمن طُرح عليهم: فالسؤال الموجود في بعض الإصدارات فقط، أو "
    "الذي تخطّاه منطق الاستمارة لبعض المشاركين، يُستبعد في حقهم من نسبة الإجابات الصحيحة وأزواج "
    "ماكنمار وإحصاءات البنود (السهولة والتمييز وكفاءة التمييز، مقارنةً بباقي الأسئلة التي طُرحت "
    "على كل منهم) ومتوسطات المحاور والخريطة الحرارية؛ ويُذكر لكل سؤال عدد من طُرح عليهم، "
    "وتُنسب نتيجة كل بند إلى حدّه الأقصى في ذلك الإصدار. أما السؤال الذي عُرض وتُرك دون إجابة "
    "فيُحتسب خطأ. وإذا لم تُطرح كل الأسئلة على الجميع، يُحسب معامل الاتساق الداخلي ونسبة الخطأ "
    "والخطأ المعياري على من أجابوا عن الإصدار الأكثر استعمالا، وعلى الأسئلة التي طُرحت على كل "
    "واحد منهم: يُستبعد السؤال الذي عُرض على بعضهم فقط بدلا من استبعاد من رأوه، لأنهم فئة "
    "اختارها المنطق. ويذكر التقرير العددين.",
    "التقييم: أعلى مستويين هو نسبة الإجابات في المستويين الأعلى من السلم. تُعرض التعليقات كما "
    "كُتبت، مع ذكر المؤسسة فقط.",
    "الدقة: تُحفظ النتائج نسبا مئوية مقرّبة إلى 1e-9 من النقطة قبل أي ترتيب أو مقارنة أو "
    "مساواة، حتى لا يفصل تقريب الحاسوب (50 محسوبة 49.99999999999999) أبدا بين تغيرين "
    "متساويين في رتب ويلكوكسون، ولا يحدد أبدا من تحسّن أو نجح أو حصل على العلامة الكاملة في "
    "الاختبار القبلي، ولا صحة إجابة.",
    REFERENCES,
]

METHODS_BY_LANG: dict[str, list[str]] = {"en": METHODS, "fr": METHODS_FR, "ar": METHODS_AR}

#: The programme view's methods note in English, for the workbook.
PROGRAMME_METHODS: str = UI["programme_methods"][0]
