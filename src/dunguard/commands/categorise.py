"""``dunguard categorise``: a thin shell over :class:`dunguard.models.categorise.Categoriser`."""

from __future__ import annotations

import json
from typing import Any

import click

from dunguard.commands._output import write_output
from dunguard.commands._progress import Progress
from dunguard.commands._texts import read_texts, text_input
from dunguard.commands.detect import BATCH, PROGRESS_MIN, _rules, _ui
from dunguard.detect.batch import MessageRecord
from dunguard.detect.report import ui_language
from dunguard.models.categorise import SOURCES, Categoriser, NarrativeCategory
from dunguard.settings import PRESETS, check_lang
from dunguard.taxonomy import info


def _record(
    rec: MessageRecord, lang: str, found: list[NarrativeCategory], ui: str | None
) -> dict[str, Any]:
    shown = ui_language(lang, ui)
    return {"id": rec.id, "lang": lang, "categories": [c.to_dict(shown) for c in found]}


def _table(records: list[dict[str, Any]], texts: dict[str, str], ui: str | None) -> str:
    lines: list[str] = []
    for rec in records:
        lang = ui_language(rec["lang"], ui)
        if len(records) > 1:
            lines.append(f"# {rec['id']} ({rec['lang']})")
        lines.append(texts[rec["id"]])
        if not rec["categories"]:
            lines.append(
                "  (nothing abusive described)" if lang == "en" else "  （未描述违规催收行为）"
            )
        for i, c in enumerate(rec["categories"], 1):
            lines.append(
                f"  [{i}] {c['category_name']} ({c['category']})  score {c['score']:.2f}"
                f"  from {c['source']}"
            )
            if "rule" in c:
                lines.append(f"      rule: {c['rule']}   quote: {c.get('quote', '')}")
                lines.append(f"      {c['explanation']}")
        lines.append("")
    if len(records) > 1:
        counts: dict[str, int] = {}
        for rec in records:
            for c in rec["categories"]:
                counts[c["category"]] = counts.get(c["category"], 0) + 1
        flagged = sum(1 for r in records if r["categories"])
        lines.append(f"{len(records)} narratives, {flagged} describe abusive collection")
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {n:6d}  {code}  {info(code).zh} / {info(code).en}")
    return "\n".join(lines) + "\n"


@click.command("categorise")
@text_input("narratives")
@click.option(
    "--with",
    "source",
    type=click.Choice(SOURCES),
    default="both",
    show_default=True,
    help="rules: the narrative and message rules; model: the CFPB model (English only); "
    "both: the two together.",
)
@click.option(
    "--preset",
    type=click.Choice(sorted(PRESETS)),
    default="evidence",
    show_default=True,
    help="The rules' threshold: evidence (recall first: find all a complaint describes) or "
    "strict (precision first).",
)
@click.option(
    "--lang",
    type=click.Choice(["auto", "zh", "en"]),
    default="auto",
    show_default=True,
    help="Language of the narratives (auto: detect per narrative).",
)
@_rules
@_ui
def categorise_cmd(
    text: str | None,
    input_path: str | None,
    input_format: str | None,
    fmt: str | None,
    source: str,
    preset: str,
    lang: str,
    rule_files: tuple[str, ...],
    text_column: str,
    id_column: str | None,
    encoding: str,
    out: str | None,
    ui_lang: str,
) -> None:
    """Sort complaint narratives (what a borrower reports) into the taxonomy's categories and
    the contact.* codes they describe.

    \b
    dunguard categorise "他们一天给我打几十个电话，还打给我老板"
    dunguard categorise "They call me 20 times a day and called my boss"
    dunguard categorise --input complaints.csv --text-column narrative --format jsonl
    """
    records, fmt = read_texts(text, input_path, input_format, fmt, text_column, id_column, encoding)
    forced = check_lang(lang)
    ui = None if ui_lang == "auto" else ui_lang
    cat = Categoriser(source=source, rules=rule_files, preset=preset)
    results: list[dict[str, Any]] = []
    with Progress(len(records), "categorise", enabled=len(records) >= PROGRESS_MIN) as progress:
        for at in range(0, len(records), BATCH):
            chunk = records[at : at + BATCH]
            langs = cat.languages([r.text for r in chunk], [r.lang or forced for r in chunk])
            found = cat.explain_many([r.text for r in chunk], langs)
            for rec, got, lg in zip(chunk, found, langs, strict=True):
                results.append(_record(rec, lg, got, ui))
            progress.advance(len(chunk))
    if fmt == "jsonl":
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    elif fmt == "json":
        doc = {"source": source, "preset": preset, "narratives": results}
        body = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    else:
        body = _table(results, {r.id: r.text for r in records}, ui)
    write_output(out, body)
