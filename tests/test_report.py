"""The report's words and numbers: formatting, suppression, plain-language findings."""

import pytest

from analysis.report import catalogue, findings, markup, numbers


@pytest.mark.parametrize("value, lang, digits, text", [
    (2.1, "id", 1, "2,1"), (2.1, "en", 1, "2.1"), (1250.5, "id", 1, "1.250,5"),
    (1250.5, "en", 1, "1,250.5"), (None, "id", 1, "–"), (float("inf"), "en", 2, "–")])
def test_numbers_are_written_the_readers_way(value, lang, digits, text):
    assert numbers.number(value, lang, digits) == text


def test_a_hidden_count_shows_the_mark_and_its_name_and_hides_its_percentage():
    from analysis.privacy import cells

    results = {"disclosure": {"hidden": ["retention/sector/x/dropouts"]},
               "retention": {"sector": {"groups": [{"group": "x"}]}}}
    hidden = markup.Count(results, cells.retention(results, "sector", "x", "dropouts"), 2)
    shown = markup.Count(results, cells.retention(results, "sector", "x", "n"), 7)
    assert (str(hidden), str(shown)) == (markup.HIDDEN_MARK, "7")
    assert markup.percent_of_counts(hidden, shown, "en") == markup.HIDDEN_MARK
    assert markup.percent_of_counts(shown, shown, "id") == "100,0%"
    html = markup.table(["n", "dropouts"], [[shown, hidden]])
    assert '<td data-cell="retention/sector/x/n">7</td>' in html
    assert ('<td data-cell="retention/sector/x/dropouts" class="hidden-count">'
            f"{markup.HIDDEN_MARK}</td>") in html


def test_p_values_in_tables_and_sentences():
    assert numbers.p_value(0.0004, "id") == "< 0,001"
    assert numbers.p_phrase(0.0004, "en") == "p < 0.001"
    assert numbers.p_phrase(0.044, "id") == "p = 0,044"


def _model(estimate, low, high):
    import math

    return {"terms": [{"term": "age_40_plus", "estimate": math.log(estimate), "odds_ratio": estimate,
                       "odds_ratio_ci_low": low, "odds_ratio_ci_high": high,
                       "ci_low": math.log(low), "ci_high": math.log(high), "p_value": 0.1, "n": 48}]}


def test_finding_sentence_in_indonesian_matches_the_agreed_form():
    (sentence,) = findings.findings(_model(2.1, 0.9, 5.0), "id")
    assert sentence == ("Peserta berusia 40 tahun ke atas lebih mungkin berhenti (rasio odds 2,1; "
                        "IK 95% 0,9–5,0; n = 48; data ini juga sesuai dengan tidak adanya perbedaan).")


def test_finding_sentence_in_english_and_direction():
    (sentence,) = findings.findings(_model(0.4, 0.2, 0.8), "en")
    assert sentence == ("Participants aged 40 and over were less likely to drop out "
                        "(odds ratio 0.4; 95% CI 0.2–0.8; n = 48).")


def test_activity_effects_are_per_doubling_of_messages():
    import math

    row = {"term": "log_messages_before_session2", "estimate": -1.0, "ci_low": -2.0, "ci_high": 0.0}
    ratio, low, high = findings.effect(row, "odds_ratio")
    assert ratio == pytest.approx(math.exp(-math.log(2)))
    assert high == pytest.approx(1.0)


def test_catalogue_has_both_languages_for_every_string():
    for key, value in catalogue.catalogue().items():
        assert set(value) == {"id", "en"}, key


def test_catalogue_has_no_key_twice():
    import re
    from importlib import resources

    text = resources.files("analysis.report").joinpath("strings.yml").read_text(encoding="utf-8")
    keys = re.findall(r"^([a-z_0-9]+):", text, re.M)
    assert len(keys) == len(set(keys)), sorted(k for k in set(keys) if keys.count(k) > 1)


def _quality(participant_messages, unmatched_messages, threshold):
    from analysis.ingest import quality

    q = {"files": {"roster.csv": {"rows_in": 50, "kept": 49, "quarantined": 1, "reasons": {}},
                   "whatsapp/a.txt": {"rows_in": 300, "kept": 200, "quarantined": 0,
                                      "reasons": {}, "merged": 100}},
         "chat": {"exports": 2, "media_files": 3, "unused_files": 0,
                  "participant_messages": participant_messages,
                  "unmatched_messages": unmatched_messages},
         "linkage": {"senders": 40, "facilitators": 2, "unmatched": 4}}
    q["summary"] = quality.summary(q, {"min_linked_message_share": threshold,
                                       "max_quarantined_share": 0.1})
    return q


def test_the_appendix_opens_with_the_data_quality_summary_in_both_languages():
    from analysis.report.sections import quality_summary

    en = " ".join(quality_summary(_quality(170, 30, 0.9), "en"))
    assert ("2 WhatsApp export(s); 100 line(s) found in more than one export (counted once); 3 "
            "media file(s) ignored; 34 sender(s) linked to the roster, 4 not; 170 of 200 "
            "participant messages (85.0%) linked to the roster.") in en
    assert "Warning: only 85.0% of participant messages are linked to the roster (threshold " \
           "90.0%); 4 sender(s) with 30 message(s) are unmatched." in en
    idn = " ".join(quality_summary(_quality(170, 30, 0.9), "id"))
    assert "170 dari 200 pesan peserta (85,0%)" in idn and "(ambang 90,0%)" in idn


def test_the_warning_states_the_threshold_the_cohort_set():
    from analysis.report.sections import quality_summary

    assert "Warning" not in " ".join(quality_summary(_quality(170, 30, 0.8), "en"))
    assert "threshold 86.0%" in " ".join(quality_summary(_quality(170, 30, 0.86), "en"))


def test_the_models_and_the_report_read_terms_with_one_parser():
    from analysis import models, terms

    assert models.parse_terms is terms.parse_terms
    assert terms.parse_terms("dropout ~ C(federation) + age_40_plus:np.log1p(messages)") == [
        "C(federation)", "age_40_plus:np.log1p(messages)"]
    name = "C(federation, Treatment('fsp_tsk'))[T.fsp_lem]:np.log1p(messages_before_session2)"
    first, second = terms.factors_of(name)
    assert terms.level_of(first) == ("C(federation, Treatment('fsp_tsk'))", "fsp_lem")
    assert terms.variable_of(terms.level_of(first)[0]) == "federation"
    assert terms.level_of(second) is None and terms.variable_of(second) is None
    assert terms.log_of(second) == ("log1p", "messages_before_session2")
    assert terms.names_in(second) == {"messages_before_session2"}


def test_a_notebook_reads_the_models_terms_table_with_the_reports_labels():
    from analysis import models
    from analysis.report import labels

    model = {**_model(2.1, 0.9, 5.0), "link": "logit", "references": {"age_40_plus": "no"}}
    table = labels.labelled(models.terms_table(model), model, "en")
    assert list(table.columns[:2]) == ["term", "label"] and "n" in table.columns
    assert table["label"][0] == labels.term_label("age_40_plus", "en", {"age_40_plus": "no"})
    unfitted = {"fitted": False, "message": "too few people"}
    assert labels.labelled(models.terms_table(unfitted), unfitted, "en").shape == (1, 1)


def test_the_forest_plot_draws_one_model_as_results_json_keeps_it():
    from analysis.report import figures
    from analysis.report.labels import term_label

    model = _model(2.1, 0.9, 5.0)
    label = term_label("age_40_plus", "en", short=True)
    fig = figures.forest_plot(model, "en")
    assert [tick.get_text() for tick in fig.axes[0].get_yticklabels()] == [label]
    assert figures.forest_plot_alt(model, "en").endswith(f": {label} 2.10 (0.90–5.00).")
    both_models = figures.forest_alt({"models": {"participant": model}}, "en")
    assert f"Participant model: {label} 2.10" in both_models
    assert figures.forest_plot({"fitted": False, "terms": []}, "en") is None


def test_the_index_says_each_line_in_both_languages_from_the_catalogue():
    from analysis.report.catalogue import both
    from analysis.report.render import INDEX_COLUMNS, render_index

    page = render_index([], [], "2024-03-20")
    assert f"<h1>{both('index_title')}</h1>" in page
    assert "<h1>Promise II Impact — laporan kohort / cohort reports</h1>" in page
    assert all(f"<th>{both(key)}</th>" in page for key in INDEX_COLUMNS)
    assert "<p>Dibangun / Built: 2024-03-20</p>" in page
