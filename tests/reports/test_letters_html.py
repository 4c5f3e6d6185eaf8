"""Complaint letters as HTML, from a real case on in-memory SQLite: every violation with its
quote, rule, category name and evidence hash; escaping; the language kept throughout; what a
minimised reader's letter leaves out."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from letter_fixtures import (
    BORROWER,
    REGULATOR,
    SCRIPT_QUOTE,
    Filed,
)
from markupsafe import escape

from dunguard.cases import CaseService, Complainant, Upload
from dunguard.errors import ConfigError
from dunguard.findings import TextSpan
from dunguard.reports import LetterInput, build_letter, letter_input, render_letter_html
from dunguard.reports.letter_text import TEXT
from dunguard.taxonomy import TAXONOMY, Category

DAY = date(2026, 3, 20)
LANG_TO = [(lang, to) for lang in ("zh", "en") for to in ("platform", "regulator")]


@pytest.mark.parametrize(("lang", "to"), LANG_TO)
def test_every_violation_has_its_quote_rule_category_and_evidence_hash(
    parts: LetterInput, filed: Filed, lang: str, to: str
) -> None:
    html = render_letter_html(*parts, lang=lang, to=to, today=DAY)
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    other = "en" if lang == "zh" else "zh"
    for finding in filed.findings:
        assert finding.rule in html
        if isinstance(finding.evidence, TextSpan):
            assert str(escape(finding.evidence.quote)) in html
        assert TAXONOMY[finding.category].name(lang) in html
        assert TAXONOMY[finding.category].name(other) not in html
    detected = len(filed.findings) - 2  # all but the two attached ones came from sms_export.txt
    # once per violation drawn from the file, once in the list of evidence files
    assert html.count(filed.sms_sha256) == detected + 1
    assert html.count(filed.notes_sha256) == 1
    assert html.count('class="violation"') == len(filed.findings)


def test_violations_are_tied_to_their_file_and_dated_by_their_message(
    parts: LetterInput, filed: Filed
) -> None:
    letter = build_letter(*parts, lang="en", to="platform", today=DAY)
    by_rule = {v.rule: v for v in letter.violations}
    jail = by_rule["zh.threat.false_legal.jail.v1"]
    assert (jail.when, jail.recorded_time) == ("2026-03-01 22:15 UTC+08:00", False)
    assert jail.evidence_sha256 == filed.sms_sha256 and jail.evidence_name == "sms_export.txt"
    assert jail.message == "王小丽你個 SB，再不还钱就让你坐.牢" and jail.quote == "坐.牢"
    arrest = by_rule["en.threat.false_legal.arrest.v1"]
    assert arrest.when == "2026-02-27 10:05 UTC-05:00"
    quiet = by_rule["cn.contact.quiet_hours.v1"]  # log evidence: its window's start, no file
    assert (quiet.when, quiet.evidence_sha256, quiet.is_quote) == (
        "2026-02-28 23:10 UTC+08:00",
        "",
        False,
    )
    assert "c-17, c-18" in quiet.quote
    markup = next(v for v in letter.violations if v.quote == SCRIPT_QUOTE)
    assert markup.recorded_time and markup.when == "2026-03-03 09:00 UTC"  # attached a day later
    assert markup.evidence_sha256 == ""
    numbers = [v.number for v in letter.violations]
    assert numbers == list(range(1, len(filed.findings) + 1))
    assert letter.violations[0] is arrest and letter.violations[-1] is markup  # in time order
    assert any("CN-CRIM-293-1" in c for c in jail.citations)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_quotes_and_explanations_are_escaped(parts: LetterInput, lang: str) -> None:
    html = render_letter_html(*parts, lang=lang, to="platform", today=DAY)
    assert "<script" not in html
    assert str(escape(SCRIPT_QUOTE)) in html
    sentence = {"en": "Abusive language & <markup>.", "zh": "辱骂性语言 & <标记>。"}[lang]
    assert str(escape(sentence)) in html and sentence not in html


def test_the_letter_is_self_contained(parts: LetterInput) -> None:
    html = render_letter_html(*parts, lang="zh", to="regulator", today=DAY)
    for external in ("http://", "https://", "<link", "<script", "src=", "@import", "url("):
        assert external not in html
    assert "<style>" in html and '<html lang="zh-CN">' in html


@pytest.mark.parametrize(("lang", "to"), LANG_TO)
def test_letter_names_case_account_deadline_and_chain_head(
    parts: LetterInput, lang: str, to: str
) -> None:
    case, events = parts.case, parts.events
    html = render_letter_html(*parts, lang=lang, to=to, today=DAY)
    assert case.id in html and "LN-2026-000123" in html and "王小丽" in html
    assert "13800138000" in html and "alice@example.org" in html
    assert events[-1].hash in html
    assert case.filed_at.date().isoformat() in html
    assert case.deadlines.respond_by.date().isoformat() in html
    assert TEXT[lang][f"to_{to}"].format(platform=case.platform) in html
    assert str(escape(case.summary)) in html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_letter_keeps_to_its_language(parts: LetterInput, lang: str) -> None:
    assert TEXT["zh"].keys() == TEXT["en"].keys()
    other = "en" if lang == "zh" else "zh"
    for to in ("platform", "regulator"):
        html = render_letter_html(*parts, lang=lang, to=to, today=DAY)
        for key, phrase in TEXT[other].items():
            if phrase != TEXT[lang][key] and len(phrase) > 3:
                for piece in re.split(r"\{[a-z_]+\}", phrase):
                    if len(piece.strip(" ,.;:()（）：，。；")) > 3:
                        assert str(escape(piece)) not in html, (key, piece)
    if lang == "en":
        # apart from the evidence (quotes, messages, names), nothing is Chinese
        letter = build_letter(*parts, lang="en", to="platform", today=DAY)
        assert not re.search(r"[\u4e00-\u9fff]", letter.intro + letter.overview)
        assert not re.search(r"[\u4e00-\u9fff]", "".join(letter.requests))


def test_requests_follow_the_recipient_and_the_violations(parts: LetterInput) -> None:
    zh = TEXT["zh"]
    platform = render_letter_html(*parts, lang="zh", to="platform", today=DAY)
    # the case names contact-list exposure, so the platform is asked to leave contacts alone
    assert zh["req_third_party"] in platform and zh["req_platform_stop"] in platform
    regulator = render_letter_html(*parts, lang="zh", to="regulator", today=DAY)
    assert zh["req_reg_investigate"].format(platform="quickloan") in regulator
    assert zh["req_third_party"] not in regulator
    respond_by = parts.case.deadlines.respond_by.date().isoformat()
    assert zh["req_reg_answer"].format(respond_by=respond_by) in regulator


def test_a_late_unanswered_case_says_so(parts: LetterInput) -> None:
    respond_by = parts.case.deadlines.respond_by.date()
    en = TEXT["en"]
    late = build_letter(*parts, lang="en", to="regulator", today=date(2026, 4, 30))
    assert late.unanswered == en["unanswered_regulator"].format(respond_by=respond_by)
    early = build_letter(*parts, lang="en", to="regulator", today=date(2026, 3, 5))
    assert early.unanswered == ""


def test_a_minimised_reader_gets_a_minimised_letter(service: CaseService, filed: Filed) -> None:
    parts = letter_input(service, REGULATOR, filed.case.id)  # not escalated: minimised
    html = render_letter_html(*parts, lang="zh", to="regulator", today=DAY)
    for personal in ("王小丽", "13800138000", "alice@example.org", "LN-2026-000123"):
        assert personal not in html
    assert "王*" in html and "*******0123" in html
    # message snapshots are withheld from this reader: the dates are those of recording
    letter = build_letter(*parts, lang="zh", to="regulator", today=DAY)
    jail = next(v for v in letter.violations if v.rule == "zh.threat.false_legal.jail.v1")
    assert jail.recorded_time and jail.message == ""
    assert jail.evidence_sha256 == filed.sms_sha256
    assert TEXT["zh"]["recorded_time"] in html


def test_sender_signs_instead_of_the_complainant(parts: LetterInput) -> None:
    html = render_letter_html(
        *parts, lang="zh", to="platform", sender="李律师（代理<王小丽>）", today=DAY
    )
    assert str(escape("签署人：李律师（代理<王小丽>）")) in html
    assert TEXT["zh"]["signature"].format(sender="王小丽") not in html


def test_a_case_without_findings_or_files(service: CaseService) -> None:
    case = service.file_case(
        BORROWER,
        complainant=Complainant("u-alice", "Alice Wang", email="alice@example.org"),
        platform="fastcash",
        account_ref="",
        jurisdiction="CN",
        categories=["harassment"],
    )
    parts = letter_input(service, BORROWER, case.id)
    html = render_letter_html(*parts, lang="en", to="platform", today=DAY)
    harassment = TAXONOMY[Category.HARASSMENT].en
    assert TEXT["en"]["count_none"].format(categories=harassment) in html
    assert TEXT["en"]["no_evidence"] in html and 'class="violation"' not in html


def test_a_file_without_message_times(service: CaseService, filed: Filed) -> None:
    service.add_evidence(
        BORROWER,
        filed.case.id,
        Upload("chat.txt", "text/plain", io.BytesIO(b"chat"), messages=[{"id": "x", "text": "hi"}]),
    )
    parts = letter_input(service, BORROWER, filed.case.id)
    letter = build_letter(*parts, lang="en", to="platform", today=DAY)
    assert [e.name for e in letter.evidence] == ["sms_export.txt", "notes.txt", "chat.txt"]
    assert letter.evidence[2].size == "4"


@pytest.mark.parametrize(("lang", "to"), [("fr", "platform"), ("zh", "court")])
def test_unknown_language_or_recipient_is_refused(parts: LetterInput, lang: str, to: str) -> None:
    with pytest.raises(ConfigError, match=lang if lang == "fr" else to):
        render_letter_html(*parts, lang=lang, to=to)
