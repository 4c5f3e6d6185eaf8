"""Text -> findings: normalisation, rule packs, recognizers, the detector."""

from dunguard.detect.detector import Detector, detect_language

__all__ = ["Detector", "detect_language"]
