"""Every human-facing string of the report in one place (English for now)."""

from __future__ import annotations

SEXES: dict[str, str] = {
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "undisclosed": "Undisclosed",
}

METHODS: list[str] = [
    "Scores are percents of the maximum score. Pre- and post-tests are matched by participant "
    "code; the first completed submission per participant and phase counts, later ones are "
    "listed as repeats. A participant belongs to the institution and sex given with the "
    "pre-test (else with the post-test). Near-matches, shared codes and changed institutions "
    "are flagged, never merged.",
    "Group figures use matched participants only; the unpaired means describe everyone who "
    "took each test. Mean change with a t-based 95% confidence interval and the paired t-test; "
    "Wilcoxon signed-rank test (zero differences dropped, the 'wilcox' method); Cohen's d_z = "
    "mean change / SD of changes. Inferential figures are shown only where at least 5 "
    "participants are matched and the changes vary.",
    "Hake's class gain <g> = (post mean - pre mean) / (100 - pre mean); the average of "
    "individual gains leaves out participants who scored 100% on the pre-test (their number "
    "is given). Improved means a higher post score; pass means at or above the test's pass "
    "mark.",
    "A question is correct only with full points; % correct is over everyone who took that "
    "test. McNemar's exact test (binomial) compares wrong-to-right (b) with right-to-wrong (c) "
    "among matched participants. Item and test statistics follow Moodle's quiz statistics on "
    "the first attempt: facility index, discrimination index (item-rest correlation), "
    "discriminative efficiency, skewness and kurtosis from k-statistics, coefficient of "
    "internal consistency (Cronbach's alpha / KR-20, in percent), error ratio = "
    "100 sqrt(1 - CIC/100), standard error = error ratio x SD / 100.",
    "Each submission is scored with the version of the test the participant answered. "
    "Questions are matched across versions by their id; a question that only some versions "
    "have counts only the people who were asked it (per-question % correct, McNemar pairs "
    "and item statistics), and each item's score is taken as a fraction of its maximum in "
    "that version. With several versions, the coefficient of internal consistency, error ratio "
    "and standard error are computed on the takers of the most answered version.",
    "Evaluation: top-two-box is the percent of answers on the two highest levels of the "
    "scale. Comments are shown as written, with the institution only.",
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
}
