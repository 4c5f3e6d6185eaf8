"""Screenshots: OCR with RapidOCR (its wheel ships the Chinese and English models; nothing is
downloaded), then OCR boxes grouped into chat bubbles. A bubble nearer the left edge is the
counterpart's (incoming), nearer the right edge the borrower's (outgoing); centred lines are
times shown between bubbles (or the chat title near the top)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dunguard.errors import InputError
from dunguard.ingest.message import Channel, Direction, Message
from dunguard.ingest.options import FileReport, ReadOptions
from dunguard.ingest.sources import Source
from dunguard.ingest.times import resolve_shown_time, time_from_filename

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "Box",
    "Bubble",
    "avatar_side",
    "group_bubbles",
    "load_image",
    "ocr_available",
    "read_image",
]

NOT_OCRED = "not OCRed: install the OCR extra (pip install 'dunguard[ocr]') to read screenshots"


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float = 1.0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(slots=True)
class Bubble:
    side: str
    """left (counterpart), right (borrower)."""
    boxes: list[Box] = field(default_factory=list)
    timestamp: datetime | None = None
    time_shown: str | None = None

    @property
    def text(self) -> str:
        out = ""
        for box in self.boxes:
            if out and not (_cjk_edge(out[-1]) and _cjk_edge(box.text[0])):
                out += " "
            out += box.text
        return out

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        return (
            round(min(b.x0 for b in self.boxes)),
            round(min(b.y0 for b in self.boxes)),
            round(max(b.x1 for b in self.boxes)),
            round(max(b.y1 for b in self.boxes)),
        )


def _cjk_edge(ch: str) -> bool:
    return ch > "\u2e80"


_CLOCK = re.compile(r"\d{1,2}[:：]\d{2}")


def group_bubbles(
    boxes: Sequence[Box],
    width: float,
    height: float,
    side_of: Callable[[Box], str | None] | None = None,
    reference: datetime | None = None,
) -> tuple[str | None, list[Bubble]]:
    """(chat title, bubbles in reading order) from OCR boxes of one screenshot.

    ``side_of`` tells the side of a box from the picture (an avatar beside it); without an
    answer the side is the edge the box is nearer to. A line just below a bubble's last line
    and aligned with its first one continues that bubble (a wrapped message). ``reference``
    (when the screenshot was taken) dates times shown without a full date (``昨天 21:14``).
    """
    title: str | None = None
    bubbles: list[Bubble] = []
    current: Bubble | None = None
    when: datetime | None = None
    shown: str | None = None
    for box in sorted(boxes, key=lambda b: ((b.y0 + b.y1) / 2, b.x0)):
        if box.y1 < 0.045 * height or not box.text.strip():
            continue  # the phone's status bar
        left_gap, right_gap = box.x0, width - box.x1
        centred = abs(left_gap - right_gap) < 0.08 * width and left_gap > 0.12 * width
        if (
            current is not None
            and box.y0 - current.boxes[-1].y1 < 0.9 * current.boxes[-1].height
            and abs(box.x0 - current.boxes[0].x0) < 0.03 * width
        ):
            current.boxes.append(box)
            continue
        hint = side_of(box) if side_of else None
        if centred and hint is None:
            current = None
            if _CLOCK.search(box.text):
                shown = box.text.strip()
                when = resolve_shown_time(shown, reference)
            elif title is None and box.y0 < 0.12 * height:
                title = box.text.strip()
            continue
        side = hint or ("left" if left_gap < right_gap else "right")
        current = Bubble(side, [box], when, shown)
        bubbles.append(current)
    return title, bubbles


def avatar_side(img: Image) -> Callable[[Box], str | None]:
    """A ``side_of`` for ``group_bubbles``: which margin holds something that is not the
    background (an avatar) level with the box."""
    import numpy as np

    pixels = np.asarray(img.convert("RGB"), dtype=np.int16)
    h, w, _ = pixels.shape
    edge = pixels[:, : max(1, w // 50)].reshape(-1, 3)
    colours, counts = np.unique(edge, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    inner, outer = int(w * 0.02), int(w * 0.15)

    def busy(region: Any) -> bool:
        if region.size == 0:
            return False
        differs = np.abs(region - background).sum(axis=2) > 60
        return bool(differs.mean() > 0.25)

    def side_of(box: Box) -> str | None:
        top = max(0, int(box.y0 - 0.5 * box.height))
        bottom = min(h, int(box.y1))
        left = busy(pixels[top:bottom, inner:outer])
        right = busy(pixels[top:bottom, w - outer : w - inner])
        if left != right:
            return "left" if left else "right"
        return None

    return side_of


@lru_cache(maxsize=1)
def ocr_available() -> bool:
    try:
        import PIL  # noqa: F401
        import rapidocr_onnxruntime  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped,unused-ignore]

    return RapidOCR()


@lru_cache(maxsize=1)
def _small_engine() -> Any:
    """The same models with the detector reading an image at its own size (at most
    ``_SMALL_SIDE`` pixels a side) instead of scaling its shorter side up to 736 pixels."""
    from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped,unused-ignore]

    # One thread: on a small image onnxruntime's extra threads mostly spin (0.27 s CPU for
    # 0.14 s wall with two, 0.11 s for 0.11 s with one), which a busy server cannot spare.
    return RapidOCR(
        det_limit_type="max",
        det_limit_side_len=_SMALL_SIDE,
        intra_op_num_threads=1,
        inter_op_num_threads=1,
    )


def load_image(source: Source, max_pixels: int) -> Image:
    """Open and decode an image, refusing decompression bombs before decoding."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    with source.open() as fh:
        try:
            img = PILImage.open(fh)
            width, height = img.size
            if width * height > max_pixels:
                raise InputError(
                    source.name,
                    f"image of {width}x{height} pixels exceeds the limit of "
                    f"{max_pixels} pixels (decompression bomb?)",
                )
            img.load()
            return img.convert("RGB")
        except InputError:
            raise
        except PILImage.DecompressionBombError:
            raise InputError(
                source.name, "image exceeds the decompression bomb limit of the image library"
            ) from None
        except UnidentifiedImageError:
            raise InputError(source.name, "not an image Pillow can read") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise InputError(source.name, f"corrupt or truncated image ({exc})") from None


#: rapidocr's default detector scales an image's shorter side up to this many pixels.
_DET_MIN_SIDE = 736
_SMALL_SIDE = 960
#: rapidocr keeps per-call state on its engine objects: one OCR call at a time per process
#: (onnxruntime itself uses the cores within a call).
_OCR_LOCK = threading.Lock()


def ocr_boxes(img: Image) -> list[Box]:
    w, h = img.size
    engine = _engine
    if max(w, h) <= _SMALL_SIDE and min(w, h) < _DET_MIN_SIDE:
        # A small image (a cropped chat bubble, 560x90) would be scaled up to thousands of
        # pixels wide, ten times the work for the same text: read it at its own size.
        engine = _small_engine
    elif min(w, h) < _DET_MIN_SIDE:
        # A long narrow one: pad it (right and below, with its corner colour) rather than
        # scale it up; the boxes keep their coordinates.
        from PIL import Image as PILImage

        corner = img.getpixel((0, 0))
        fill = corner if isinstance(corner, tuple) else (255, 255, 255)
        canvas = PILImage.new("RGB", (max(w, _DET_MIN_SIDE), max(h, _DET_MIN_SIDE)), fill)
        canvas.paste(img, (0, 0))
        img = canvas
    with _OCR_LOCK:
        result, _ = engine()(img)
    boxes = []
    for points, text, score in result or []:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        boxes.append(Box(min(xs), min(ys), max(xs), max(ys), str(text), float(score)))
    return boxes


def read_image(
    source: Source, sha: str, options: ReadOptions, report: FileReport
) -> Iterator[Message]:
    report.format = "image"
    if not options.ocr or not ocr_available():
        note = "not OCRed: OCR switched off" if not options.ocr else NOT_OCRED
        report.note = note
        yield Message(
            source=source.name,
            source_sha256=sha,
            position="file",
            text="",
            channel=Channel.IMAGE,
            meta={"note": note},
        )
        return
    img = load_image(source, options.limits.max_image_pixels)
    report.format = "image-ocr"
    taken = time_from_filename(source.name.rsplit("/", 1)[-1].rsplit("!", 1)[-1])
    title, bubbles = group_bubbles(
        ocr_boxes(img), img.width, img.height, avatar_side(img), reference=taken
    )
    for bubble in bubbles:
        x0, y0, x1, y1 = bubble.bounds
        incoming = bubble.side == "left"
        meta = {"side": bubble.side, "ocr_score": f"{min(b.score for b in bubble.boxes):.3f}"}
        if bubble.time_shown and bubble.timestamp is None:
            meta["time_shown"] = bubble.time_shown
        yield Message(
            source=source.name,
            source_sha256=sha,
            position=f"box {x0},{y0},{x1},{y1}",
            text=bubble.text,
            channel=Channel.IMAGE,
            direction=Direction.IN if incoming else Direction.OUT,
            timestamp=bubble.timestamp.replace(tzinfo=options.tz)
            if bubble.timestamp and options.tz
            else bubble.timestamp,
            sender=title if incoming else "me",
            counterpart=title,
            meta=meta,
        )
