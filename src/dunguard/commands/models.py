"""``dunguard eval`` and ``dunguard train``: thin shells over ``dunguard.evaluation`` and
``dunguard.models.train``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dunguard.evaluation import datasets
from dunguard.evaluation.run import PREDICTORS, TASKS, evaluate, plot, render
from dunguard.models.recognizer import INSULT_NAMES, insult_model_for
from dunguard.settings import PRESETS

_data_dir = click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Folder holding cold/, davidson/, cfpb/ (default: $DUNGUARD_DATA or ../shared/data).",
)


@click.command("eval")
@click.argument("dataset")
@click.option("--task", type=click.Choice(TASKS), default="insult", show_default=True)
@click.option(
    "--with",
    "predictor",
    type=click.Choice(PREDICTORS),
    default="model",
    show_default=True,
    help="model: the shipped model alone; rules: the default detector; both: detector + model.",
)
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default="strict", show_default=True)
@click.option(
    "--model",
    "model_name",
    type=click.Choice(INSULT_NAMES),
    help="The insult model to use for its language instead of the default (insult-zh, "
    "insult-en); insult-zh-e5 adds a pretrained sentence encoder (needs the encoder extra).",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Also write the report as JSON.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Draw a PNG.")
@_data_dir
def eval_cmd(
    dataset: str,
    task: str,
    predictor: str,
    preset: str,
    model_name: str | None,
    out: str | None,
    plot_path: str | None,
    data_dir: str | None,
) -> None:
    """Evaluate on a labelled DATASET: cold[:train|dev|test], davidson[:train|test|all], cfpb,
    or a .jsonl file with "text" and "labels".

    \b
    dunguard eval cold:test
    dunguard eval cold:test --with rules
    dunguard eval cold:test --model insult-zh-e5
    dunguard eval cfpb --task categories --with rules --out report.json --plot r.png
    """
    models = {insult_model_for(model_name): model_name} if model_name else None
    data = datasets.load(dataset, data_dir)
    report = evaluate(data, task=task, predictor=predictor, preset=preset, models=models)
    click.echo(render(report), nl=False)
    if out:
        Path(out).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    if plot_path:
        plot(report, plot_path)


@click.command("train")
@click.argument("names", nargs=-1, required=True)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False),
    help="Where to write the models (default: the package's models/data).",
)
@click.option(
    "--no-test",
    is_flag=True,
    help="Select and fit without scoring the test split (the manifest's test is null): "
    "for trying a selection without spending a look at test.",
)
@_data_dir
def train_cmd(
    names: tuple[str, ...], out_dir: str | None, no_test: bool, data_dir: str | None
) -> None:
    """Rebuild models from the shared data: insult-zh, insult-en, categories-en,
    insult-zh-e5 (or all). Needs scikit-learn (pip install 'dunguard[train]'), and
    insult-zh-e5 the sentence encoder ('dunguard[encoder]'); fixed seeds.
    """
    from dunguard.errors import ConfigError
    from dunguard.models.builtin import data_dir as package_data
    from dunguard.models.train import TARGETS

    todo = list(TARGETS) if names == ("all",) else list(names)
    unknown = [n for n in todo if n not in TARGETS]
    if unknown:
        raise ConfigError(f"unknown model {unknown[0]!r}; choose from: all, {', '.join(TARGETS)}")
    if "insult-zh-e5" in todo:  # fail before hours of training, not after
        from dunguard.models.encoder import default_encoder

        default_encoder()
    base = Path(out_dir) if out_dir else package_data()
    for name in todo:
        click.echo(f"training {name} -> {base / name}")
        TARGETS[name](base / name, data_dir, log=click.echo, score_test=not no_test)
