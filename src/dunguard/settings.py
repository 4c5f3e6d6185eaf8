"""Validated settings, passed in explicitly (never a module-level global)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dunguard.errors import ConfigError

#: Score thresholds of the two presets. ``evidence`` favours recall (a borrower gathering
#: evidence wants every candidate); ``strict`` favours precision (automatic flags shown to
#: platforms). Rules carry prior scores; weak signals sit between the two thresholds.
PRESETS: dict[str, float] = {"strict": 0.6, "evidence": 0.35}
DEFAULT_PRESET = "strict"
LANGS = ("zh", "en")


@dataclass(frozen=True, slots=True)
class DetectSettings:
    preset: str = DEFAULT_PRESET
    threshold: float | None = None
    """Overrides the preset's threshold when given."""
    extra_packs: tuple[Path, ...] = field(default=())
    builtin_packs: bool = True
    narrative: bool = False
    """Also the narrative packs (complaint narratives: what a borrower reports)."""

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ConfigError(
                f"unknown preset {self.preset!r}; choose one of: {', '.join(sorted(PRESETS))}"
            )
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise ConfigError(f"threshold must lie in 0..1, got {self.threshold}")

    @property
    def effective_threshold(self) -> float:
        return self.threshold if self.threshold is not None else PRESETS[self.preset]


def check_lang(lang: str | None) -> str | None:
    if lang is None or lang == "auto":
        return None
    if lang not in LANGS:
        raise ConfigError(f"unknown language {lang!r}; choose one of: auto, {', '.join(LANGS)}")
    return lang
