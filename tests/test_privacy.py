"""The leak check finds a roster name or phone in any output, in any spelling."""

import pandas as pd
import pytest

from analysis.privacy import leaks as privacy


@pytest.fixture(scope="module")
def people(small_cohort):
    return privacy.identifiers(small_cohort)


def _roster(small_cohort):
    return pd.read_csv(small_cohort / "roster.csv", dtype=str)


def test_identifiers_cover_every_roster_person(small_cohort, people):
    names = {p.folded for p in people if p.kind == "name"}
    assert len(names) >= len(_roster(small_cohort)) - 1


@pytest.mark.parametrize("spell", [
    lambda nsn: "0" + nsn, lambda nsn: "+62 " + nsn[:3] + "-" + nsn[3:7] + "-" + nsn[7:],
    lambda nsn: "62" + nsn, lambda nsn: "(0" + nsn[:3] + ") " + nsn[3:]])
def test_a_phone_in_any_spelling_is_found(small_cohort, people, spell):
    nsn = next(p.folded for p in people if p.kind == "phone")
    hits = privacy.scan_text(f"<td>kontak: {spell(nsn)}</td>", people)
    assert [h.kind for h in hits] == ["phone"]


def test_a_name_is_found_whatever_the_case(small_cohort, people):
    name = _roster(small_cohort)["Nama Lengkap"].iloc[3]
    assert [h.kind for h in privacy.scan_text(f"<p>{name.upper()} hadir</p>", people)] == ["name"]


def test_numbers_and_hashes_are_not_mistaken_for_phones(people):
    text = '{"odds_ratio": 17.234567, "sha256": "4df215a7c8169c6895e70c32591a23dd", "n": 48}'
    assert privacy.scan_text(text, people) == []


def test_scan_reports_where_a_leak_came_from_not_what_it_is(small_cohort, tmp_path):
    name = _roster(small_cohort)["Nama Lengkap"].iloc[0]
    (tmp_path / "report.html").write_text(f"<p>{name}</p>", encoding="utf-8")
    pd.DataFrame({"x": [name]}).to_parquet(tmp_path / "t.parquet")
    hits = privacy.scan(small_cohort, [tmp_path])
    assert sorted(f.rsplit("/", 1)[1] for f, _ in hits) == ["report.html", "t.parquet"]
    assert all(p.source.startswith("roster.csv row") or p.source.startswith("attendance.csv row")
               for _, p in hits)


@pytest.mark.parametrize("use_poppler", [True, False], ids=["pdftotext", "pypdf"])
def test_a_name_and_a_phone_in_a_pdf_are_found(small_cohort, people, tmp_path, use_poppler):
    """The PDFs are what staff email: their text is scanned with whichever extractor is here."""
    if use_poppler and not privacy.shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    from weasyprint import HTML

    name = _roster(small_cohort)["Nama Lengkap"].iloc[2]
    nsn = next(p.folded for p in people if p.kind == "phone")
    pdf = tmp_path / "report.pdf"
    HTML(string=f"<p>Peserta <b>{name}</b> hadir.</p><table><tr><td>0{nsn}</td></tr></table>"
         ).write_pdf(pdf)
    text = privacy.pdf_text(pdf, use_poppler=use_poppler)
    assert sorted(h.kind for h in privacy.scan_text(text, people)) == ["name", "phone"]


def test_the_chat_people_the_cleaning_listed_are_used_only_while_fresh(cohort_copy, tmp_path):
    """The check reads the cleaning step's list of chat senders instead of parsing a big chat
    again, but never a list older than the export (it could miss a new sender)."""
    import os

    from analysis.ingest import clean

    interim = tmp_path / "interim"
    cleaned = clean.clean_cohort(cohort_copy)
    clean.write_outputs(cleaned, tmp_path / "processed" / cohort_copy.name,
                        interim / cohort_copy.name)
    chat_file = next((cohort_copy / "whatsapp").iterdir())
    listed = privacy.chat_people_from(interim / cohort_copy.name, [chat_file])
    parsed = privacy.identifiers(cohort_copy)
    assert sorted(listed) == cleaned.chat_people
    assert set(privacy.identifiers(cohort_copy, listed)) == set(parsed)

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "r.html").write_text("<p>Joko Santoso Wibowo</p>", encoding="utf-8")
    people = interim / cohort_copy.name / privacy.CHAT_PEOPLE
    people.write_text(people.read_text(encoding="utf-8") + "Joko Santoso Wibowo\n",
                      encoding="utf-8")
    assert len(privacy.scan(cohort_copy, [tmp_path / "out"], interim_root=interim)) == 1
    later = people.stat().st_mtime + 10
    os.utime(chat_file, (later, later))  # the export changed after the cleaning: parse it
    assert privacy.chat_people_from(interim / cohort_copy.name, [chat_file]) is None
    assert privacy.scan(cohort_copy, [tmp_path / "out"], interim_root=interim) == []


def test_a_name_is_found_without_its_titles_in_the_spellings_linkage_forgives(cohort_copy):
    """As strict as linkage is forgiving: the roster's 'BPK. AHMAD FAUZI, S.E.' is found as
    'Ahmad Fauzi', 'Nur'aini Siregar' as 'Nuraini Siregar' and 'Nur aini Siregar'. A handful
    of spellings per name: the scan stays linear in the roster."""
    roster = pd.read_csv(cohort_copy / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[0:2, "Nama Lengkap"] = ["BPK. AHMAD FAUZI, S.E.", "Nur'aini Siregar",
                                       "Dr. Ir. Budi Santoso, M.M."]
    roster.to_csv(cohort_copy / "roster.csv", index=False)
    people = privacy.identifiers(cohort_copy)
    for text, row in [("Ahmad Fauzi", 2), ("AHMAD FAUZI, S.E.", 2), ("Pak Ahmad Fauzi", 2),
                      ("Nur aini Siregar", 3), ("Nuraini Siregar", 3), ("NUR'AINI SIREGAR", 3),
                      ("Nur\u2019aini Siregar", 3), ("Budi Santoso", 4)]:
        hits = privacy.scan_text(f"<p>{text} hadir</p>", people)
        assert f"roster.csv row {row}" in {h.source for h in hits}, text
    assert privacy.scan_text("<p>Ahmad hadir, Siregar juga, S.E.</p>", people) == []
    assert len([p for p in people if p.kind == "name"]) < 6 * len(roster)
