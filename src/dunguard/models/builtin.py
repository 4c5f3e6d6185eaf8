"""The models shipped in ``dunguard/models/data``, loaded on first use and then cached."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from dunguard.models.linear import MANIFEST, LinearModel, ModelError

#: name -> what it is; every one is rebuilt by ``dunguard train NAME``.
BUILTIN = {
    "insult-zh": "abuse.insult, Chinese; COLD (selected by held-out topic, reported on test)",
    "insult-en": "abuse.insult, English; Davidson et al. (hate + offensive vs neither)",
    "categories-en": "complaint narrative -> category; CFPB debt-collection narratives",
    "insult-zh-e5": "abuse.insult, Chinese; insult-zh plus a pretrained sentence encoder "
    "(multilingual-e5-small; needs the encoder extra; slow)",
}


def data_dir() -> Path:
    return Path(str(resources.files("dunguard.models").joinpath("data")))


def builtin_path(name: str) -> Path:
    if name not in BUILTIN:
        raise ModelError(
            name, f"no built-in model of that name; choose one of: {', '.join(BUILTIN)}"
        )
    path = data_dir() / name
    if not (path / MANIFEST).is_file():
        raise ModelError(path, f"built-in model missing: rebuild it with `dunguard train {name}`")
    return path


@cache
def load_builtin(name: str) -> LinearModel:
    """A shipped model, loaded once per process."""
    return LinearModel.load(builtin_path(name))


def available() -> list[str]:
    return [n for n in BUILTIN if (data_dir() / n / MANIFEST).is_file()]
