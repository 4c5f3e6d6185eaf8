"""dunguard (催收卫士): find abusive debt collection, explain it, and make it actionable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Detector", "Finding", "__version__"]

if TYPE_CHECKING:
    from dunguard.detect.detector import Detector
    from dunguard.findings import Finding


def __getattr__(name: str) -> Any:
    # Lazy, so that importing dunguard loads no rule packs and no heavy modules.
    if name == "Detector":
        from dunguard.detect.detector import Detector

        return Detector
    if name == "Finding":
        from dunguard.findings import Finding

        return Finding
    raise AttributeError(f"module 'dunguard' has no attribute {name!r}")
