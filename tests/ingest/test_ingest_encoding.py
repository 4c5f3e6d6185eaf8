from __future__ import annotations

import codecs
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dunguard.errors import InputError
from dunguard.ingest.encoding import SAMPLE_BYTES, detect_encoding, open_text

SIMPLIFIED = ["你的借款已逾期，今天不还就让你坐牢", "我下周发工资就还", "逾期", "通知你全家"]
TRADITIONAL = ["還錢！不還就通知你全家，後果自負", "再不還就告你詐騙", "法院傳票", "逾期"]


def lines_of(data: bytes) -> tuple[str, list[str]]:
    decoded, lines = open_text(io.BytesIO(data), "f.txt")
    return decoded.encoding, [line for _, line in lines]


@pytest.mark.parametrize(
    ("codec", "prefix", "texts", "expected"),
    [
        ("utf-8", b"", SIMPLIFIED, "utf-8"),
        ("utf-8", codecs.BOM_UTF8, SIMPLIFIED, "utf-8"),
        ("utf-16-le", codecs.BOM_UTF16_LE, SIMPLIFIED, "utf-16-le"),
        ("utf-16-be", codecs.BOM_UTF16_BE, TRADITIONAL, "utf-16-be"),
        ("utf-16-le", b"", ["hello 你好", "abc"], "utf-16-le"),
        ("utf-16-be", b"", ["hello 你好", "abc"], "utf-16-be"),
        ("gbk", b"", SIMPLIFIED, "gb18030"),
        ("gb18030", b"", [*SIMPLIFIED, "𠮷野家 €"], "gb18030"),
        ("big5", b"", TRADITIONAL, "big5"),
    ],
)
def test_each_encoding_is_detected_and_named(
    codec: str, prefix: bytes, texts: list[str], expected: str
) -> None:
    data = prefix + "\r\n".join(texts).encode(codec)
    encoding, lines = lines_of(data)
    assert encoding == expected
    assert lines == texts


@pytest.mark.parametrize("text", [*SIMPLIFIED, "你好", "我"])
def test_short_simplified_gbk_is_not_taken_for_big5(text: str) -> None:
    assert detect_encoding(text.encode("gbk")).encoding == "gb18030"


@pytest.mark.parametrize("text", TRADITIONAL)
def test_short_traditional_big5_is_not_taken_for_gbk(text: str) -> None:
    assert detect_encoding(text.encode("big5")).encoding == "big5"


def test_sample_cut_inside_a_multibyte_character_still_detects() -> None:
    body = ("逾期还款通知" * 20000).encode("gb18030")
    assert len(body) > SAMPLE_BYTES
    for shift in range(3):
        assert detect_encoding((b"x" * shift + body)[:SAMPLE_BYTES]).encoding == "gb18030"


def test_binary_is_refused() -> None:
    with pytest.raises(InputError, match="binary"):
        detect_encoding(b"\x00\x01\x02\x03\xff\x00\x10\x00\x00\x00\x07\x00\x00\x00")


def test_invalid_bytes_after_the_sample_name_the_line_and_keep_earlier_lines() -> None:
    good = "第一行 fine\n" * 10000  # beyond the detection sample
    data = good.encode("utf-8") + b"bad \xff\xfe line\nnever reached\n"
    _decoded, lines = open_text(io.BytesIO(data), "x.txt")
    got: list[str] = []
    with pytest.raises(InputError) as info:
        for _, line in lines:
            got.append(line)
    assert info.value.line == 10001
    assert info.value.source == "x.txt"
    assert "invalid utf-8" in info.value.problem
    assert len(got) == 10000


def test_overlong_line_is_refused() -> None:
    data = b"a" * ((1 << 20) + 10)
    _, lines = open_text(io.BytesIO(data), "big.txt")
    with pytest.raises(InputError, match="longer than 1 MiB"):
        list(lines)


@given(
    st.lists(
        st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"))),
        min_size=1,
        max_size=5,
    )
)
def test_utf8_and_utf16_round_trip_any_text(texts: list[str]) -> None:
    texts = [t.replace("\x85", "") for t in texts]
    for codec, bom in (("utf-8", b""), ("utf-16-le", codecs.BOM_UTF16_LE)):
        data = bom + "\n".join(texts).encode(codec)
        if not data:
            continue
        _, lines = lines_of(data)
        expected = "\n".join(texts).split("\n")
        if expected and expected[-1] == "":
            expected = expected[:-1]
        assert lines == expected
