"""A linear model over n-gram features, stored as plain arrays and JSON.

A model directory holds three files:

``manifest.json``
    format and version, task, language, classes, activation, feature spec, provenance and
    the figures it was selected with, and the SHA-256 of the two files below;
``arrays.npz``
    ``coef`` (k x n_features, float32), ``intercept`` (k), ``idf`` (n_features); read with
    ``allow_pickle=False``, so loading cannot run code;
``vocab.json``
    the n-grams, ``{"char": [...], "word": [...]}``: JSON lists of strings in feature order;
    a model that segments (``features.segment``) adds ``"seg"`` (its segmentation tokens, in
    feature order after the word n-grams) and ``"lexicon"`` (the dictionary it segments with).

A model may also weigh a pretrained sentence encoder's embedding of the text
(:mod:`dunguard.models.encoder`): its manifest then names the encoder (``"encoder"``: package,
version, SHA-256 of the weight file, dimension) and ``arrays.npz`` adds ``enc_coef``
(k x dimension); the scores add ``embedding @ enc_coef.T``. The encoder's weights are not part
of the model; loading refuses an installed encoder whose weights differ from the recorded ones.

Loading checks the hashes, the shapes and the values, and raises :class:`ModelError` naming
the file and the problem: a tampered or truncated model is rejected, never half-used.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dunguard.errors import DunguardError
from dunguard.models.features import FeatureSpec, FloatArray, Vectorizer, prepare

FORMAT = "dunguard-linear-model"
VERSION = 1
MANIFEST = "manifest.json"
ARRAYS = "arrays.npz"
VOCAB = "vocab.json"
ACTIVATIONS = ("sigmoid", "softmax")


class ModelError(DunguardError):
    """A model file is missing, tampered with or invalid."""

    exit_code = 3

    def __init__(self, source: str | Path, problem: str) -> None:
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{source}: {problem}")


@dataclass(frozen=True)
class LinearModel:
    """Scores = activation(features @ coef.T + intercept).

    ``activation`` is ``sigmoid`` (one independent probability per row of ``coef``: a binary
    model has one row and two classes, the second the positive one; a multi-label model has one
    row per class) or ``softmax`` (one row per class, probabilities summing to one).
    """

    name: str
    lang: str
    classes: tuple[str, ...]
    activation: str
    vectorizer: Vectorizer
    coef: FloatArray
    intercept: FloatArray
    info: Mapping[str, Any] = field(default_factory=dict)
    encoder: Mapping[str, Any] | None = None
    """The sentence encoder's spec (:meth:`dunguard.models.encoder.Encoder.spec`), if any."""
    enc_coef: FloatArray | None = None
    """k x encoder dimension: the weights of the encoder's embedding (with ``encoder``)."""

    def __post_init__(self) -> None:
        k = self.coef.shape[0]
        if (self.encoder is None) != (self.enc_coef is None):
            raise ValueError("an encoder needs its weights (enc_coef), and the other way round")
        dim = self.encoder.get("dim") if self.encoder is not None else None
        if self.enc_coef is not None and self.enc_coef.shape != (k, dim):
            raise ValueError(
                f"enc_coef has shape {self.enc_coef.shape}, want ({k}, encoder dim {dim})"
            )
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        binary = self.activation == "sigmoid" and k == 1 and len(self.classes) == 2
        if not binary and k != len(self.classes):
            raise ValueError(f"{k} weight rows for {len(self.classes)} classes")
        if self.coef.shape[1] != self.vectorizer.n_features or self.intercept.shape != (k,):
            raise ValueError("weight shapes do not match the vocabulary")

    @property
    def binary(self) -> bool:
        return self.activation == "sigmoid" and self.coef.shape[0] == 1

    def scores_prepared(self, texts: Sequence[str]) -> FloatArray:
        """Probabilities for texts already in the detector's normal form: shape (n, k)."""
        if not texts:
            return np.zeros((0, self.coef.shape[0]), dtype=np.float32)
        z = self.vectorizer.transform(texts).dot(self.coef) + self.intercept
        if self.encoder is not None and self.enc_coef is not None:
            from dunguard.models.encoder import encoder_for

            z = z + encoder_for(self.encoder, self.name).embed(texts) @ self.enc_coef.T
        if self.activation == "sigmoid":
            out: FloatArray = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
            return out
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        soft: FloatArray = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
        return soft

    def scores(self, texts: Sequence[str]) -> FloatArray:
        return self.scores_prepared(prepare(texts))

    def proba(self, texts: Sequence[str], prepared: bool = False) -> FloatArray:
        """One probability per class, shape (n, len(classes)); for a binary model the columns
        are (1 - p, p)."""
        s = self.scores_prepared(texts) if prepared else self.scores(texts)
        if self.binary:
            return np.hstack([1.0 - s, s]).astype(np.float32)
        return s

    # -- files --------------------------------------------------------------------------

    def save(self, directory: str | Path) -> Path:
        """Write the three files (each atomically); returns the directory."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        arrays = _atomic(out / ARRAYS, _npz_bytes(self))
        vec = self.vectorizer
        doc: dict[str, list[str]] = {"char": vec.chars, "word": vec.words}
        if vec.spec.segment is not None:
            doc.update(seg=vec.segs, lexicon=vec.segmenter.lexicon)
        vocab = _atomic(out / VOCAB, json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "lang": self.lang,
            "classes": list(self.classes),
            "activation": self.activation,
            "features": self.vectorizer.spec.to_json(),
            "n_features": self.vectorizer.n_features,
            "sha256": {ARRAYS: _sha256(arrays), VOCAB: _sha256(vocab)},
            "info": dict(self.info),
        }
        if self.encoder is not None:
            manifest["encoder"] = dict(self.encoder)
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        _atomic(out / MANIFEST, text.encode("utf-8"))
        return out

    @classmethod
    def load(cls, directory: str | Path) -> LinearModel:
        d = Path(directory)
        manifest = _read_manifest(d / MANIFEST)
        hashes = manifest["sha256"]
        raw: dict[str, bytes] = {}
        for fname in (ARRAYS, VOCAB):
            path = d / fname
            try:
                raw[fname] = path.read_bytes()
            except OSError as exc:
                raise ModelError(path, f"cannot read model file ({exc.strerror})") from None
            if _sha256(raw[fname]) != hashes.get(fname):
                raise ModelError(
                    path,
                    "SHA-256 does not match manifest.json: the file was modified or truncated; "
                    "rebuild the model with `dunguard train`",
                )
        encoder = manifest.get("encoder")
        if encoder is not None and not isinstance(encoder, dict):
            raise ModelError(d / MANIFEST, "'encoder' must be an object")
        arrays = _read_arrays(d / ARRAYS, raw[ARRAYS], ("enc_coef",) if encoder else ())
        if encoder is not None:
            from dunguard.models.encoder import encoder_for

            encoder_for(encoder, d / MANIFEST)  # the installed encoder must be the recorded one
        try:
            vocab = json.loads(raw[VOCAB].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(d / VOCAB, f"not valid UTF-8 JSON: {exc}") from None
        if (
            not isinstance(vocab, dict)
            or not all(
                isinstance(vocab.get(k, []), list)
                and all(isinstance(g, str) for g in vocab.get(k, []))
                for k in ("char", "word", "seg", "lexicon")
            )
            or not all(k in vocab for k in ("char", "word"))
        ):
            raise ModelError(
                d / VOCAB,
                'must be {"char": [strings], "word": [strings]} (and optionally "seg", "lexicon")',
            )
        try:
            spec = FeatureSpec.from_json(manifest["features"])
            vectorizer = Vectorizer(
                spec,
                vocab["char"],
                vocab["word"],
                arrays["idf"],
                vocab.get("seg", []),
                vocab.get("lexicon", []),
            )
            return cls(
                name=str(manifest["name"]),
                lang=str(manifest["lang"]),
                classes=tuple(str(c) for c in manifest["classes"]),
                activation=str(manifest["activation"]),
                vectorizer=vectorizer,
                coef=arrays["coef"],
                intercept=arrays["intercept"],
                info=manifest.get("info", {}),
                encoder=encoder,
                enc_coef=arrays.get("enc_coef"),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelError(d / MANIFEST, f"inconsistent model: {exc}") from None


def _npz_bytes(model: LinearModel) -> bytes:
    import io

    buf = io.BytesIO()
    arrays = {
        "coef": model.coef.astype(np.float32),
        "intercept": model.intercept.astype(np.float32),
        "idf": model.vectorizer.idf.astype(np.float32),
    }
    if model.enc_coef is not None:
        arrays["enc_coef"] = model.enc_coef.astype(np.float32)
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ModelError(path, f"cannot read model manifest ({exc.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(path, f"not valid UTF-8 JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelError(path, f"not a dunguard model manifest (format must be {FORMAT!r})")
    if doc.get("version") != VERSION:
        raise ModelError(path, f"unsupported model version {doc.get('version')!r}; want {VERSION}")
    for key in ("name", "lang", "classes", "activation", "features", "sha256"):
        if key not in doc:
            raise ModelError(path, f"missing key {key!r}")
    if not isinstance(doc["sha256"], dict):
        raise ModelError(path, "'sha256' must map file names to hashes")
    return doc


def _read_arrays(path: Path, raw: bytes, extra: Sequence[str] = ()) -> dict[str, FloatArray]:
    import io

    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            names = ("coef", "intercept", "idf", *extra)
            missing = [k for k in names if k not in npz.files]
            if missing:
                raise ModelError(path, f"missing array {missing[0]!r}")
            arrays = {k: npz[k] for k in names}
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise ModelError(path, f"not a plain-array .npz file: {exc}") from None
    for key, arr in arrays.items():
        if arr.dtype != np.float32:
            raise ModelError(path, f"array {key!r} must be float32, got {arr.dtype}")
        if not np.all(np.isfinite(arr)):
            raise ModelError(path, f"array {key!r} holds non-finite values")
    if arrays["coef"].ndim != 2 or arrays["intercept"].ndim != 1 or arrays["idf"].ndim != 1:
        raise ModelError(path, "coef must be 2-D, intercept and idf 1-D")
    if "enc_coef" in arrays and arrays["enc_coef"].ndim != 2:
        raise ModelError(path, "enc_coef must be 2-D")
    return arrays


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic(path: Path, data: bytes) -> bytes:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o644)  # a model is package data: readable by all (mkstemp gives 0600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return data
