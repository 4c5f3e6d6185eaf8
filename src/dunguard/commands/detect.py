"""``dunguard detect`` and ``dunguard rules``: thin shells over ``dunguard.detect``."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from dunguard.commands._output import write_output
from dunguard.commands._progress import Progress
from dunguard.commands._texts import read_texts, text_input
from dunguard.detect.detector import Detector
from dunguard.detect.packs import Rule, load_pack_file
from dunguard.detect.recognizers import Recognizer
from dunguard.detect.report import highlight, message_record, summary, ui_language
from dunguard.detect.ruletest import check_examples
from dunguard.errors import ConfigError
from dunguard.models.recognizer import INSULT_CHOICES
from dunguard.settings import PRESETS, check_lang
from dunguard.taxonomy import Category, info

PROGRESS_MIN = 2000
BATCH = 1024

_preset = click.option(
    "--preset",
    type=click.Choice(sorted(PRESETS)),
    default="strict",
    show_default=True,
    help="strict: precision first (automatic flags); evidence: recall first (borrowers).",
)
_rules = click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="An extra rule pack (YAML); may be repeated.",
)
_ui = click.option(
    "--ui-lang",
    type=click.Choice(["auto", "zh", "en"]),
    default="auto",
    show_default=True,
    help="Language of category names and explanations (auto: the message's).",
)


def _color(quote: str, number: int) -> str:
    return click.style(quote, fg="red", bold=True, underline=True) + click.style(
        f"[{number}]", fg="red"
    )


def _bracket(quote: str, number: int) -> str:
    return f"【{quote}】[{number}]"


def _table(
    records: list[dict[str, Any]], texts: dict[str, str], ui: str | None, color: bool
) -> str:
    lines: list[str] = []
    for rec in records:
        shown = rec["findings"]
        if len(records) > 1 and not shown:
            continue
        lang = ui_language(rec["lang"], ui)
        if len(records) > 1:
            lines.append(f"# {rec['id']} ({rec['lang']})")
        lines.append(highlight(texts[rec["id"]], shown, _color if color else _bracket))
        if not shown:
            lines.append("  (no finding)" if lang == "en" else "  （未发现违规）")
        for i, f in enumerate(shown, 1):
            head = (
                f"  [{i}] {f['category_name']} ({f['category']})"
                f"  score {f['score']:.2f}  {f['severity']}"
            )
            lines.append(click.style(head, bold=True) if color else head)
            lines.append(f"      rule: {f['rule']}")
            lines.append(f"      citation: {f['citation']}")
            lines.append(f"      {f['explanation']}")
        lines.append("")
    if len(records) > 1:
        s = summary(records)
        lines.append(
            f"{s['messages']} messages, {s['messages_flagged']} flagged, {s['findings']} findings"
        )
        for cat, n in s["by_category"].items():
            lines.append(f"  {n:6d}  {cat}  {info(cat).zh} / {info(cat).en}")
    return "\n".join(lines) + "\n"


@click.command("detect")
@text_input("messages")
@_preset
@click.option(
    "--lang",
    type=click.Choice(["auto", "zh", "en"]),
    default="auto",
    show_default=True,
    help="Language of the messages (auto: detect per message).",
)
@_rules
@_ui
@click.option(
    "--threshold", type=click.FloatRange(0, 1), help="Override the preset's score threshold."
)
@click.option(
    "--model",
    "use_model",
    is_flag=True,
    help="Also run the shipped abuse.insult models (zh, en) as recognizers (opt-in).",
)
@click.option(
    "--zh-model",
    type=click.Choice(INSULT_CHOICES["zh"]),
    help="Which Chinese insult model --model runs (implies --model). insult-zh-e5 adds a "
    "pretrained sentence encoder: more accurate, hundreds of times slower (encoder extra).",
)
def detect_cmd(
    text: str | None,
    input_path: str | None,
    input_format: str | None,
    fmt: str | None,
    preset: str,
    lang: str,
    rule_files: tuple[str, ...],
    text_column: str,
    id_column: str | None,
    encoding: str,
    out: str | None,
    ui_lang: str,
    threshold: float | None,
    use_model: bool,
    zh_model: str | None,
) -> None:
    """Detect abusive-collection violations in TEXT or in the messages of --input.

    \b
    dunguard detect "再不还钱就让你坐牢"
    dunguard detect --input messages.jsonl --format jsonl
    cat messages.txt | dunguard detect --input - --preset evidence
    """
    records, fmt = read_texts(text, input_path, input_format, fmt, text_column, id_column, encoding)
    msg_lang = check_lang(lang)
    ui = None if ui_lang == "auto" else ui_lang
    detector = Detector(
        preset=preset,
        threshold=threshold,
        rules=rule_files,
        recognizers=_models(use_model or bool(zh_model), zh_model),
    )
    results: list[dict[str, Any]] = []
    show = len(records) >= PROGRESS_MIN
    with Progress(len(records), "detect", enabled=show) as progress:
        for at in range(0, len(records), BATCH):
            chunk = records[at : at + BATCH]
            analysed = detector.analyse_many(
                [r.text for r in chunk], [r.lang or msg_lang for r in chunk], [r.id for r in chunk]
            )
            for rec, (found_lang, findings) in zip(chunk, analysed, strict=True):
                results.append(message_record(rec.id, found_lang, findings, ui))
            progress.advance(len(chunk))
    if fmt == "jsonl":
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    elif fmt == "json":
        doc = {
            "preset": preset,
            "threshold": detector.threshold,
            "messages": results,
            "summary": summary(results),
        }
        body = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    else:
        color = out is None and sys.stdout.isatty()
        body = _table(results, {r.id: r.text for r in records}, ui, color)
    write_output(out, body)


def _models(use_model: bool, zh_model: str | None = None) -> list[Recognizer]:
    if not use_model:
        return []
    from dunguard.models.recognizer import model_recognizers

    return list(model_recognizers(models={"zh": zh_model} if zh_model else None))


# ------------------------------------------------------------------------------ rules


@click.group("rules")
def rules_group() -> None:
    """List, show and test the rules of the loaded packs."""


def _detector(rule_files: tuple[str, ...]) -> Detector:
    """Every built-in rule: the message packs and the narrative packs (``dunguard
    categorise``), plus the user's."""
    return Detector(preset="evidence", rules=rule_files, narrative=True)


@rules_group.command("list")
@_rules
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Only rules for this language.")
@click.option("--category", type=click.Choice([c.value for c in Category]))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def rules_list(
    rule_files: tuple[str, ...], lang: str | None, category: str | None, fmt: str
) -> None:
    """List every rule with its category, prior score and citations."""
    rules = [
        r
        for r in _detector(rule_files).rules
        if (lang is None or r.lang == lang) and (category is None or r.category.value == category)
    ]
    if fmt == "json":
        click.echo(json.dumps([_rule_doc(r) for r in rules], ensure_ascii=False, indent=2))
        return
    for r in rules:
        refs = ", ".join(c.ref or c.instrument for c in r.citations)
        click.echo(f"{r.id:<48} {r.category.value:<24} {r.score:4.2f}  {r.title(r.lang)}  [{refs}]")
    click.echo(f"{len(rules)} rules")


def _rule_doc(r: Rule) -> dict[str, Any]:
    return {
        "id": r.id,
        "pack": r.pack,
        "lang": r.lang,
        "category": r.category.value,
        "severity": r.severity.value,
        "score": r.score,
        "name": dict(r.name),
        "explain": dict(r.explain),
        "citations": [c.to_dict() for c in r.citations],
        "any": list(r.any_terms),
        "all": [list(g) for g in r.all_groups],
        "none": list(r.none_terms),
        "within": r.within,
        "patterns": [p.pattern for p in r.patterns],
        "unless": list(r.unless),
        "context": [
            {"words": list(c.words), "delta": c.delta, "reason": c.reason} for c in r.context
        ],
        "match": list(r.match),
        "no_match": list(r.no_match),
        "source": r.source,
    }


@rules_group.command("show")
@click.argument("rule_id")
@_rules
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def rules_show(rule_id: str, rule_files: tuple[str, ...], fmt: str) -> None:
    """Document one rule: what it means, why, its citation, its terms and examples."""
    detector = _detector(rule_files)
    rule = detector.rule(rule_id)
    if rule is None:
        close = [r.id for r in detector.rules if rule_id.split(".v")[0] in r.id][:5]
        hint = f"; did you mean: {', '.join(close)}" if close else "; see 'dunguard rules list'"
        raise ConfigError(f"no rule {rule_id!r}{hint}")
    doc = _rule_doc(rule)
    if fmt == "json":
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    cat = info(rule.category)
    click.echo(f"{rule.id}   ({rule.source})")
    click.echo(f"  {rule.name.get('zh', '')} / {rule.name.get('en', '')}")
    click.echo(f"  category: {cat.code.value} ({cat.zh} / {cat.en})")
    click.echo(f"  severity: {rule.severity.value}; prior score {rule.score}")
    for c in rule.citations:
        conf = f", confidence {c.confidence}" if c.confidence else ""
        click.echo(f"  citation: {c}{conf}")
    for key in ("zh", "en"):
        if key in rule.explain:
            click.echo(f"  explain ({key}): {rule.explain[key]}")
    click.echo(f"  any: {', '.join(rule.any_terms)}")
    for group in rule.all_groups:
        click.echo(f"  all (within {rule.within}): {', '.join(group)}")
    if rule.none_terms:
        click.echo(f"  none (within {rule.within}): {', '.join(rule.none_terms)}")
    for p in rule.patterns:
        click.echo(f"  pattern: {p.pattern}")
    if rule.unless:
        click.echo(f"  unless: {', '.join(rule.unless)}")
    for ctx in rule.context:
        click.echo(f"  context {ctx.delta:+.2f} ({ctx.reason}): {', '.join(ctx.words)}")
    for ex in rule.match:
        click.echo(f"  match:    {ex}")
    for ex in rule.no_match:
        click.echo(f"  no_match: {ex}")


@rules_group.command("test")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def rules_test(files: tuple[str, ...]) -> int:
    """Check every rule against its own match / no_match examples.

    With FILEs, test the rules of those packs (loaded beside the built-in ones); without, test
    the built-in packs. Exits 1 when an example fails.
    """
    detector = _detector(files)
    if files:
        wanted = {r.id for f in files for r in load_pack_file(f).rules}
        rules = [r for r in detector.rules if r.id in wanted]
    else:
        rules = list(detector.rules)
    count, failures = check_examples(detector, rules)
    for failure in failures:
        click.echo(f"FAIL {failure.describe()}")
    click.echo(f"{len(rules)} rules, {count} examples checked, {len(failures)} failed")
    return 1 if failures else 0
