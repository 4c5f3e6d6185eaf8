"""Run a predictor (rules, model, or both) over a labelled data set and report.

Tasks:

``insult``
    binary: does the text carry ``abuse.insult``? Per-class figures, the 2x2 confusion matrix
    and a reliability table of the predictor's insult score against the gold label.
``categories``
    which taxonomy categories does the text carry? Per-category figures (multi-label) and,
    since the shipped data sets give one label per text, the confusion matrix of the gold
    category against the top predicted one (``none`` for no category).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dunguard.detect.detector import Detector, detect_language
from dunguard.errors import ConfigError
from dunguard.evaluation.datasets import INSULT, NONE, Dataset
from dunguard.evaluation.metrics import classification_report, multilabel_report, reliability
from dunguard.findings import Finding

PREDICTORS = ("rules", "model", "both")
#: (task, data set) -> the shipped model that was fitted on that very data: its figures there
#: are in-sample and say nothing about new text.
IN_SAMPLE = {
    ("insult", "cold:train"): "insult-zh",
    ("insult", "cold:dev"): "insult-zh",
    ("insult", "davidson"): "insult-en",
    ("insult", "davidson:train"): "insult-en",
    ("categories", "cfpb"): "categories-en",
}
TASKS = ("insult", "categories")
MODEL_THRESHOLD = 0.5


def _langs(data: Dataset) -> list[str]:
    if data.lang in ("zh", "en"):
        return [data.lang] * len(data)
    return ["en" if detect_language(t) == "en" else "zh" for t in data.texts]


def _detector(
    preset: str, with_models: bool, langs: Sequence[str], models: Mapping[str, str] | None = None
) -> Detector:
    recognizers = []
    if with_models:
        from dunguard.models.recognizer import model_recognizers

        recognizers = model_recognizers(sorted(set(langs)), models)
    return Detector(preset=preset, recognizers=recognizers)


def _detect(det: Detector, data: Dataset, langs: Sequence[str]) -> list[list[Finding]]:
    out: list[list[Finding]] = []
    for at in range(0, len(data), 1024):
        chunk = data.texts[at : at + 1024]
        out.extend(fs for _, fs in det.analyse_many(chunk, langs[at : at + 1024]))
    return out


def insult_scores(
    data: Dataset, predictor: str, preset: str, models: Mapping[str, str] | None = None
) -> tuple[list[float], float]:
    """The insult score of every text and the threshold it is judged by (``models``:
    language -> the insult model to use instead of the default)."""
    langs = _langs(data)
    chosen = dict(models or {})
    if predictor == "model":
        from dunguard.models.features import prepare
        from dunguard.models.recognizer import insult_recognizer

        scores = [0.0] * len(data)
        for lang in sorted(set(langs)):
            idx = [i for i, g in enumerate(langs) if g == lang]
            rec = insult_recognizer(lang, chosen.get(lang))
            for i, s in zip(idx, rec.scores(prepare([data.texts[i] for i in idx])), strict=True):
                scores[i] = s
        return scores, MODEL_THRESHOLD
    det = _detector(preset, predictor == "both", langs, chosen)
    found = _detect(det, data, langs)
    scores = [max((f.score for f in fs if f.category.value == INSULT), default=0.0) for fs in found]
    return scores, det.threshold


def evaluate(
    data: Dataset,
    task: str = "insult",
    predictor: str = "model",
    preset: str = "strict",
    models: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run ``predictor`` over ``data`` and report; ``models`` (language -> shipped insult
    model, e.g. ``{"zh": "insult-zh-e5"}``) replaces a language's default insult model."""
    if task not in TASKS:
        raise ConfigError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}")
    if predictor not in PREDICTORS:
        raise ConfigError(
            f"unknown predictor {predictor!r}; choose one of: {', '.join(PREDICTORS)}"
        )
    if not len(data):
        raise ConfigError(f"data set {data.name} is empty")
    head: dict[str, Any] = {
        "dataset": data.name,
        "n": len(data),
        "task": task,
        "predictor": predictor,
        "preset": None if predictor == "model" else preset,
    }
    if models and task == "insult" and predictor != "rules":
        head["models"] = dict(models)
    seen = IN_SAMPLE.get((task, data.name))
    if seen and models and task == "insult":
        from dunguard.models.recognizer import insult_model_for

        seen = models.get(insult_model_for(seen), seen)
    if seen and predictor != "rules":
        head["warning"] = (
            f"in-sample: the {seen} model was trained on {data.name}; these figures say "
            "nothing about new text (see benchmarks/RESULTS.md for held-out figures)"
        )
    if task == "insult":
        scores, threshold = insult_scores(data, predictor, preset, models)
        gold = [INSULT if INSULT in labels else NONE for labels in data.labels]
        pred = [INSULT if s >= threshold else NONE for s in scores]
        report = classification_report(gold, pred, [NONE, INSULT])
        report["calibration"] = reliability(scores, [g == INSULT for g in gold])
        report["calibration"]["of"] = "insult score against the gold label"
        return {**head, "threshold": threshold, **report}
    return {**head, **_categories(data, predictor, preset)}


def _categories(data: Dataset, predictor: str, preset: str) -> dict[str, Any]:
    from dunguard.models.categorise import Categoriser

    if predictor == "model":
        cat = Categoriser(source="model")
        assert cat.model is not None
        top = cat.top(data.texts)
        classes = sorted(set(cat.model.classes) | set(data.raw))
        gold1 = data.raw
        pred1 = [c for c, _ in top]
        report = classification_report(gold1, pred1, classes, [p for _, p in top])
        report["calibration"]["of"] = "probability of the predicted category against correctness"
        pred_sets = [frozenset() if c == NONE else frozenset((c,)) for c in pred1]
        report["multilabel"] = multilabel_report(data.labels, pred_sets)
        return report
    # The narrative rules (and, for both, the model): every category the categoriser reports
    # for the text; the single-label view takes its best-scoring one.
    cat = Categoriser(source=predictor, preset=preset)
    found = cat.explain_many(data.texts, _langs(data))
    pred_sets = [frozenset(c.category for c in cs) for cs in found]
    gold1 = [min(g) if g else NONE for g in data.labels]
    pred1 = [cs[0].category if cs else NONE for cs in found]
    classes = sorted(set(gold1) | set(pred1))
    conf = [cs[0].score if cs else 0.0 for cs in found]
    report = classification_report(gold1, pred1, classes, conf)
    report["calibration"]["of"] = "score of the top category against its correctness"
    report["multilabel"] = multilabel_report(data.labels, pred_sets)
    return report


def render(report: dict[str, Any]) -> str:
    """The report as plain text tables."""
    lines = [f"WARNING: {report['warning']}"] if report.get("warning") else []
    lines += [
        f"{report['dataset']}: {report['n']} texts, task {report['task']}, "
        f"predictor {report['predictor']}"
        + (f" [{', '.join(report['models'].values())}]" if report.get("models") else "")
        + (f" (preset {report['preset']})" if report.get("preset") else "")
        + (f", threshold {report['threshold']}" if "threshold" in report else ""),
        f"accuracy {report['accuracy']:.4f}   macro-F1 {report['macro_f1']:.4f}",
        "",
        f"{'class':<28}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
    ]
    for name, row in report["per_class"].items():
        lines.append(
            f"{name:<28}{row['precision']:>10.4f}{row['recall']:>10.4f}{row['f1']:>10.4f}"
            f"{row['support']:>10d}"
        )
    lines += ["", "confusion (rows: gold, columns: predicted)"]
    classes = report["classes"]
    width = max(8, *(len(c) + 1 for c in classes))
    lines.append(" " * 28 + "".join(f"{c[: width - 1]:>{width}}" for c in classes))
    for name, row in zip(classes, report["confusion"], strict=True):
        lines.append(f"{name:<28}" + "".join(f"{v:>{width}d}" for v in row))
    cal = report.get("calibration")
    if cal:
        lines += ["", f"calibration: {cal.get('of', '')}; ECE {cal['ece']:.4f}"]
        lines.append(f"{'bin':<12}{'count':>8}{'mean score':>12}{'observed':>10}")
        for b in cal["bins"]:
            if b["count"]:
                lines.append(
                    f"{b['bin'][0]:.1f}-{b['bin'][1]:.1f}".ljust(12)
                    + f"{b['count']:>8d}{b['confidence']:>12.3f}{b['observed']:>10.3f}"
                )
    if "multilabel" in report:
        ml = report["multilabel"]
        lines += ["", f"per category (multi-label; exact match {ml['exact_match']:.4f})"]
        for name, row in ml["per_category"].items():
            lines.append(
                f"{name:<28}{row['precision']:>10.4f}{row['recall']:>10.4f}{row['f1']:>10.4f}"
                f"{row['support']:>10d}"
            )
    return "\n".join(lines) + "\n"


def plot(report: dict[str, Any], path: str) -> None:
    """Per-class bars and the reliability curve, to a PNG (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ConfigError("--plot needs matplotlib: pip install 'dunguard[plot]'") from None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    names = list(report["per_class"])
    xs = range(len(names))
    for k, metric in enumerate(("precision", "recall", "f1")):
        ax1.bar(
            [x + (k - 1) * 0.27 for x in xs],
            [report["per_class"][n][metric] for n in names],
            width=0.27,
            label=metric,
        )
    ax1.set_xticks(list(xs), names, rotation=30, ha="right", fontsize=8)
    ax1.set_ylim(0, 1)
    ax1.set_title(f"{report['dataset']} ({report['predictor']})")
    ax1.legend()
    bins = [b for b in report["calibration"]["bins"] if b["count"]]
    ax2.plot([0, 1], [0, 1], linestyle="--", color="grey")
    ax2.plot([b["confidence"] for b in bins], [b["observed"] for b in bins], marker="o")
    ax2.set_xlabel("mean score")
    ax2.set_ylabel("observed")
    ax2.set_title(f"reliability (ECE {report['calibration']['ece']:.3f})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
