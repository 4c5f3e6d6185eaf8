from __future__ import annotations

import re
from datetime import datetime
from html import escape

from hypothesis import given
from hypothesis import strategies as st

from dunguard.ingest import Direction, Message, mask
from dunguard.ingest.timeline import render_timeline


def message(text: str, day: int = 5, counterpart: str | None = "10690000") -> Message:
    return Message(
        source="s.txt",
        source_sha256="00",
        position=f"line {day}{text[:3]}",
        text=text,
        direction=Direction.IN,
        timestamp=datetime(2024, 3, day, 9),
        counterpart=counterpart,
    )


@given(st.text(min_size=1), st.text(max_size=20))
def test_any_text_and_counterpart_are_escaped(text: str, counterpart: str) -> None:
    html = render_timeline([message(text, counterpart=counterpart)])
    body = html[html.index("<main>") + len("<main>") : html.index("</main>")]
    assert escape(text) in body
    # The only tags in the body are the ones the renderer writes.
    assert set(re.findall(r"<(/?[a-z]+)", body)) <= {"div", "/div", "span", "/span", "i", "/i"}


def test_chart_counts_messages_per_day() -> None:
    html = render_timeline([message("a", 5), message("b", 5), message("c", 7)])
    assert "2024-03-05: 2 messages, 0 with violations" in html
    assert "2024-03-07: 1 messages, 0 with violations" in html


def test_undated_messages_come_last_and_are_said_to_be_undated() -> None:
    undated = Message(source="n.txt", source_sha256="00", position="line 1", text="undated")
    html = render_timeline([undated, message("dated")])
    assert html.index("dated</div>") < html.index("undated</div>")
    assert "time unknown" in html


def test_mask_keeps_shape_and_hides_the_person() -> None:
    assert mask("+8613800138000") == "+86********000"
    assert mask("张三") == "张*"
    assert mask("王专员") == "王**"
    assert mask(None) == "-"
    assert "13800138" not in mask("+8613800138000")


def test_zoned_times_are_shown_in_the_chosen_zone() -> None:
    from datetime import UTC

    from dunguard.ingest import parse_zone

    sms = Message(
        source="b.xml",
        source_sha256="00",
        position="sms[0]",
        text="x",
        timestamp=datetime(2024, 3, 5, 13, 14, tzinfo=UTC),
    )
    html = render_timeline([sms], tz=parse_zone("Asia/Shanghai"))
    assert "2024-03-05 21:14:00+08:00" in html
    assert "2024-03-05 13:14:00+00:00" in render_timeline([sms])
