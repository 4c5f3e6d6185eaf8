from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from ingest_fixtures import CALLS_XML, PHONE_A, PHONE_B, SMS_XML

from dunguard.ingest import (
    Channel,
    Direction,
    IngestReport,
    Message,
    ReadOptions,
    ingest,
    iter_messages,
    parse_mapping,
    parse_zone,
)
from dunguard.ingest.chat import read_chat
from dunguard.ingest.options import FileReport
from dunguard.ingest.sms_xml import read_sms_xml
from dunguard.ingest.sources import Source

Write = Callable[..., Path]


def run(*paths: Path, **options: object) -> tuple[list[Message], IngestReport]:
    report = IngestReport()
    messages = list(iter_messages(paths, ReadOptions(**options), report))  # type: ignore[arg-type]
    return messages, report


def brief(m: Message) -> tuple[object, ...]:
    return (m.text, m.direction.value, m.counterpart, m.timestamp, m.channel.value)


# --- SMS Backup & Restore ---------------------------------------------------------------


def test_sms_backup_xml_messages_exactly(write: Write) -> None:
    messages, report = run(write("backup.xml", SMS_XML))
    assert [brief(m) for m in messages] == [
        (
            "你的借款已逾期，今天不还就让你坐牢",
            "in",
            PHONE_A,
            datetime(2024, 3, 5, 13, 14, 3, tzinfo=UTC),
            "sms",
        ),
        ("我下周发工资就还", "out", PHONE_A, datetime(2024, 3, 5, 13, 15, tzinfo=UTC), "sms"),
        ("不还钱就爆你通讯录", "in", PHONE_B, datetime(2024, 3, 5, 14, 46, 40, tzinfo=UTC), "sms"),
        (
            "Pay today & avoid <legal action>",
            "in",
            PHONE_B,
            datetime(2024, 3, 6, 14, 40, tzinfo=UTC),
            "sms",
        ),
    ]
    assert [m.position for m in messages] == ["sms[0]", "sms[1]", "mms[0]", "sms[2]"]
    assert messages[2].meta == {"attachments": "1", "contact_name": "催收中心"}
    assert messages[2].sender == "催收中心"
    assert messages[1].sender == "me"
    assert messages[0].lang == "zh" and messages[3].lang == "en"
    assert report.rejected == []
    assert report.files[0].format == "sms-backup-xml"
    assert report.files[0].note == "3 sms, 1 mms"


def test_call_log_backup_gives_call_records(write: Write) -> None:
    messages, _ = run(write("calls.xml", CALLS_XML))
    assert [
        (m.channel, m.direction, m.meta["call_type"], m.meta["duration_s"]) for m in messages
    ] == [
        (Channel.CALL, Direction.IN, "missed", "0"),
        (Channel.CALL, Direction.IN, "incoming", "65"),
    ]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE smses [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<smses count="1"><sms address="1" date="1709644443000" type="1" body="&lol3;" /></smses>
"""


def test_entity_expansion_is_refused(write: Write) -> None:
    messages, report = run(write("bomb.xml", BILLION_LAUGHS))
    assert messages == []
    [rejected] = report.rejected
    assert rejected.source.endswith("bomb.xml")
    assert "XML refused" in rejected.problem and "DTD" in rejected.problem


def test_external_entity_is_refused_and_not_read(write: Write, tmp_path: Path) -> None:
    secret = write("secret.txt", "TOP-SECRET-CONTENT")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE smses [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<smses><sms address="1" date="1709644443000" type="1" body="&x;" /></smses>'
    )
    messages, report = run(write("xxe.xml", xxe))
    assert messages == []
    assert "XML refused" in report.rejected[0].problem
    assert all("TOP-SECRET" not in m.text for m in messages)


def test_truncated_xml_keeps_messages_before_the_cut(write: Write) -> None:
    cut = SMS_XML[: SMS_XML.index("<mms")] + '<sms address="1" body="unfinished'
    messages, report = run(write("cut.xml", cut))
    assert [m.text for m in messages] == ["你的借款已逾期，今天不还就让你坐牢", "我下周发工资就还"]
    [rejected] = report.rejected
    assert "malformed or truncated XML" in rejected.problem
    assert rejected.line is not None and rejected.kept == 2


def test_other_xml_is_rejected_with_the_reason(write: Write) -> None:
    _, report = run(write("feed.xml", "<?xml version='1.0'?><rss><item/></rss>"))
    assert "not an SMS Backup" in report.rejected[0].problem


class EndlessSms(io.RawIOBase):
    """About 1 GB of SMS backup, generated on demand: nothing is held in memory or on disk."""

    def __init__(self, messages: int = 4_000_000) -> None:
        self.consumed = 0
        self._parts = self._generate(messages)
        self._buffer = b""

    @staticmethod
    def _generate(n: int) -> Iterator[bytes]:
        yield b"<?xml version='1.0' encoding='UTF-8'?><smses>"
        row = '<sms address="10690000" date="1709644443000" type="1" body="逾期提醒 {i} {pad}"/>\n'
        for i in range(n):
            yield row.format(i=i, pad="x" * 180).encode()
        yield b"</smses>"

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while len(self._buffer) < len(b):
            part = next(self._parts, None)
            if part is None:
                break
            self._buffer += part
        n = min(len(b), len(self._buffer))
        b[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        self.consumed += n
        return n


def test_a_1gb_backup_is_streamed_not_loaded() -> None:
    stream = EndlessSms()
    source = Source("huge.xml", lambda: io.BufferedReader(stream), 1 << 30)  # type: ignore[arg-type]
    reader = read_sms_xml(source, "0" * 64, ReadOptions(), FileReport("huge.xml", "?"))
    first = [next(reader) for _ in range(1000)]
    assert first[-1].text.startswith("逾期提醒 999 ")
    assert stream.consumed < 4 << 20  # a few MB read for 1000 messages out of ~1 GB


class EndlessChat(io.RawIOBase):
    """About 1 GB of a GBK-encoded chat export, generated on demand."""

    def __init__(self, messages: int = 10_000_000) -> None:
        self.consumed = 0
        block = "2024-03-05 21:14:03 催收王(123456)\n你再不还钱，我们就通知你单位 {i}\n\n"
        self._parts = (block.format(i=i).encode("gbk") for i in range(messages))
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while len(self._buffer) < len(b):
            part = next(self._parts, None)
            if part is None:
                break
            self._buffer += part
        n = min(len(b), len(self._buffer))
        b[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        self.consumed += n
        return n


def test_a_1gb_chat_export_is_streamed_not_loaded() -> None:
    stream = EndlessChat()
    source = Source("huge.txt", lambda: io.BufferedReader(stream), 1 << 30)  # type: ignore[arg-type]
    report = FileReport("huge.txt", "?")
    reader = read_chat(source, "0" * 64, ReadOptions(), report)
    first = [next(reader) for _ in range(1000)]
    assert first[-1].text == "你再不还钱，我们就通知你单位 999"
    assert report.encoding == "gb18030"
    assert stream.consumed < 2 << 20


# --- CSV and JSON lines ---------------------------------------------------------------------


def test_gbk_sms_csv_with_chinese_headers(write: Write) -> None:
    csv_text = (
        "时间,号码,内容,类型\n"
        f'2024-03-05 21:14:03,{PHONE_B},"再不还款就上门找你家人，别怪我们不客气",接收\n'
        f"2024/3/6 8:00,{PHONE_B},知道了,发送\n"
    )
    messages, report = run(write("导出短信.csv", csv_text, "gbk"), tz=parse_zone("Asia/Shanghai"))
    shanghai = parse_zone("Asia/Shanghai")
    assert [brief(m) for m in messages] == [
        (
            "再不还款就上门找你家人，别怪我们不客气",
            "in",
            PHONE_B,
            datetime(2024, 3, 5, 21, 14, 3, tzinfo=shanghai),
            "sms",
        ),
        ("知道了", "out", PHONE_B, datetime(2024, 3, 6, 8, 0, tzinfo=shanghai), "sms"),
    ]
    assert messages[0].zone_known
    assert messages[0].timestamp is not None
    assert messages[0].timestamp.utcoffset() == timedelta(hours=8)
    assert (report.files[0].format, report.files[0].encoding) == ("csv", "gb18030")
    assert [m.position for m in messages] == ["line 2", "line 3"]


def test_apple_style_csv_export(write: Write) -> None:
    csv_text = (
        "Chat Session,Message Date,Delivered Date,Service,Type,Sender ID,Sender Name,Status,Text\n"
        f"Collector,2024-03-05 21:14:03,,SMS,Incoming,{PHONE_A},Collector,Read,"
        '"Pay now, or we visit your office"\n'
        "Collector,2024-03-05 21:20:00,,iMessage,Outgoing,,,Delivered,Please stop\n"
    )
    messages, report = run(write("messages.csv", csv_text))
    assert [(m.text, m.direction, m.channel, m.counterpart) for m in messages] == [
        ("Pay now, or we visit your office", Direction.IN, Channel.SMS, PHONE_A),
        ("Please stop", Direction.OUT, Channel.IM, "Collector"),
    ]
    assert report.files[0].format == "csv-apple"


def test_generic_csv_needs_a_mapping_and_says_so(write: Write) -> None:
    path = write("odd.csv", "when,who,what\n2024-03-05 10:00,Li,hello\n")
    _, report = run(path)
    [rejected] = report.rejected
    assert "no message text column" in rejected.problem
    assert "'what'" in rejected.problem and "--map text=COLUMN" in rejected.problem
    messages, report = run(path, columns=parse_mapping(["text=what", "time=when", "sender=who"]))
    assert [(m.text, m.sender, m.timestamp) for m in messages] == [
        ("hello", "Li", datetime(2024, 3, 5, 10, 0))
    ]
    assert report.rejected == []


def test_csv_row_with_too_many_fields_is_named_and_earlier_rows_kept(write: Write) -> None:
    path = write("broken.csv", "date,body\n2024-03-05,ok one\n2024-03-06,ok two\n2024-03-07,a,b\n")
    messages, report = run(path)
    assert [m.text for m in messages] == ["ok one", "ok two"]
    [rejected] = report.rejected
    assert (rejected.line, rejected.kept) == (4, 2)
    assert "3 fields" in rejected.problem


def test_jsonl_with_key_mapping_and_a_bad_line(write: Write) -> None:
    lines = [
        json.dumps(
            {"ts": 1709644443, "msg": "今天必须还", "peer": PHONE_A, "dir": "received"},
            ensure_ascii=False,
        ),
        json.dumps(
            {"ts": 1709644500, "msg": "好的", "peer": PHONE_A, "dir": "sent"}, ensure_ascii=False
        ),
        "{not json",
    ]
    messages, report = run(
        write("log.jsonl", "\n".join(lines) + "\n"),
        columns=parse_mapping(["text=msg", "time=ts", "counterpart=peer", "direction=dir"]),
    )
    assert [brief(m) for m in messages] == [
        ("今天必须还", "in", PHONE_A, datetime(2024, 3, 5, 13, 14, 3, tzinfo=UTC), "text"),
        ("好的", "out", PHONE_A, datetime(2024, 3, 5, 13, 15, tzinfo=UTC), "text"),
    ]
    assert report.rejected[0].line == 3
    assert "invalid JSON" in report.rejected[0].problem


def test_ingest_output_reads_back_identically(write: Write, tmp_path: Path) -> None:
    messages, _ = run(write("backup.xml", SMS_XML))
    out = tmp_path / "messages.jsonl"
    out.write_text("".join(m.to_json() + "\n" for m in messages), encoding="utf-8")
    again, report = run(out)
    assert again == messages
    assert report.files[0].format == "dunguard-messages"


# --- chat exports and plain text -------------------------------------------------------


QQ_EXPORT = """消息记录（此消息记录为文本格式，不支持重新导入）

================================================================
消息分组:我的好友
================================================================
消息对象:催收王
================================================================

2024-03-05 21:14:03 催收王(123456789)
你再不还钱，我们就通知你单位
还有你的紧急联系人

2024-03-05 21:15:10 我
请不要联系我单位

2024-03-05 21:16:00 催收王(123456789)
那你今天必须还清
"""

WECHAT_EXPORT = """李经理 2024-03-07 09:00:01
【XX金融】您已逾期15天，今天下午五点前必须还款
李经理 2024-03-07 09:00:30
否则我们将派人上门
小明 2024-03-07 09:05:00
我在筹钱
"""


def test_qq_text_export(write: Write) -> None:
    messages, report = run(write("qq.txt", QQ_EXPORT, "utf-16"))
    assert [(m.text, m.sender, m.direction, m.counterpart, m.timestamp) for m in messages] == [
        (
            "你再不还钱，我们就通知你单位\n还有你的紧急联系人",
            "催收王",
            Direction.IN,
            "催收王",
            datetime(2024, 3, 5, 21, 14, 3),
        ),
        ("请不要联系我单位", "我", Direction.OUT, "催收王", datetime(2024, 3, 5, 21, 15, 10)),
        ("那你今天必须还清", "催收王", Direction.IN, "催收王", datetime(2024, 3, 5, 21, 16)),
    ]
    assert all(m.channel is Channel.IM for m in messages)
    assert (report.files[0].format, report.files[0].encoding) == ("chat-text", "utf-16-le")


def test_wechat_export_with_the_borrower_named(write: Write) -> None:
    messages, _ = run(write("wechat.txt", WECHAT_EXPORT, "gb18030"), me=("小明",))
    assert [(m.text, m.direction, m.counterpart, m.timestamp) for m in messages] == [
        (
            "【XX金融】您已逾期15天，今天下午五点前必须还款",
            Direction.IN,
            "李经理",
            datetime(2024, 3, 7, 9, 0, 1),
        ),
        ("否则我们将派人上门", Direction.IN, "李经理", datetime(2024, 3, 7, 9, 0, 30)),
        ("我在筹钱", Direction.OUT, "李经理", datetime(2024, 3, 7, 9, 5)),
    ]


def test_plain_text_one_message_per_line_with_optional_times(write: Write) -> None:
    text = "【催收】今天不还款就起诉你\n\n[2024-03-08 10:00] 最后通牒：明天上门\n还 钱\n"
    messages, report = run(write("notes.txt", text))
    assert [(m.text, m.timestamp, m.position) for m in messages] == [
        ("【催收】今天不还款就起诉你", None, "line 1"),
        ("最后通牒：明天上门", datetime(2024, 3, 8, 10, 0), "line 3"),
        ("还 钱", None, "line 4"),
    ]
    assert report.files[0].format == "text"


def test_mixed_encodings_in_one_folder(write: Write, tmp_path: Path) -> None:
    write("box/a_gbk.txt", "再不还就爆通讯录\n", "gbk")
    write("box/b_big5.txt", "再不還就告你詐騙\n", "big5")
    write("box/c_utf16.txt", "还钱\n", "utf-16")
    write("box/d_utf8bom.txt", "\ufeff今天还\n")
    messages, report = run(tmp_path / "box")
    assert [m.text for m in messages] == ["再不还就爆通讯录", "再不還就告你詐騙", "还钱", "今天还"]
    assert [f.encoding for f in report.files] == ["gb18030", "big5", "utf-16-le", "utf-8"]


def test_content_wins_over_a_wrong_extension(write: Write) -> None:
    messages, report = run(write("backup.txt", SMS_XML), write("chat.csv.log", QQ_EXPORT))
    assert [f.format for f in report.files] == ["sms-backup-xml", "chat-text"]
    assert len(messages) == 7


def test_missing_and_empty_files_are_rejected_others_read(write: Write, tmp_path: Path) -> None:
    good = write("ok.txt", "还钱\n")
    empty = write("empty.txt", b"")
    messages, report = run(tmp_path / "nope.xml", empty, good)
    assert [m.text for m in messages] == ["还钱"]
    assert [(Path(r.source).name, r.problem) for r in report.rejected] == [
        ("nope.xml", "no such file or folder"),
        ("empty.txt", "empty file"),
    ]


def test_ingest_sorts_by_time_with_undated_last(write: Write) -> None:
    write("x/plain.txt", "undated line\n")
    write("x/backup.xml", SMS_XML)
    messages, _ = ingest([write("x/plain.txt", "undated line\n").parent])
    assert messages[-1].text == "undated line"
    dated = [m.timestamp for m in messages if m.timestamp]
    assert dated == sorted(dated)


def test_message_ids_are_stable_and_differ_per_position(write: Write) -> None:
    first, _ = run(write("a.xml", SMS_XML))
    second, _ = run(write("b.xml", SMS_XML))
    assert [m.id for m in first] == [m.id for m in second]  # same content, same ids
    assert len({m.id for m in first}) == len(first)


def test_message_round_trips_through_json() -> None:
    m = Message(
        source="s",
        source_sha256="ab",
        position="line 1",
        text="还钱",
        timestamp=datetime(2024, 3, 5, 21, 0, tzinfo=UTC),
        counterpart=PHONE_A,
        meta={"k": "v"},
    )
    assert Message.from_dict(json.loads(m.to_json())) == m


@pytest.mark.parametrize("bad", ["text", "text=", "colour=red"])
def test_bad_mapping_options_say_what_works(bad: str) -> None:
    from dunguard.errors import ConfigError

    with pytest.raises(ConfigError, match=r"ROLE=COLUMN|roles: text"):
        parse_mapping([bad])


def test_ingest_drops_repeats_of_overlapping_backups(write: Write, tmp_path: Path) -> None:
    write("two/old.xml", SMS_XML)
    write("two/new.xml", SMS_XML.replace("我下周发工资就还", "我下周发工资就还!"))
    write("two/undated.txt", "same line\nsame line\n")
    messages, report = ingest([tmp_path / "two"])
    assert report.duplicates == 3  # undated lines are never merged
    assert sorted(m.text for m in messages if m.channel is Channel.SMS) == sorted(
        [
            "你的借款已逾期，今天不还就让你坐牢",
            "我下周发工资就还",
            "我下周发工资就还!",
            "不还钱就爆你通讯录",
            "Pay today & avoid <legal action>",
        ]
    )
    assert [m.text for m in messages if m.channel is Channel.TEXT] == ["same line"] * 2
    assert "(3 repeated messages dropped)" in report.summary()


def test_ingest_expresses_zoned_times_in_the_chosen_zone(write: Write) -> None:
    shanghai = parse_zone("Asia/Shanghai")
    messages, _ = ingest([write("b.xml", SMS_XML)], ReadOptions(tz=shanghai))
    first = messages[0].timestamp
    assert first is not None and first.tzinfo is shanghai
    assert (first.hour, first.minute) == (21, 14)  # 13:14 UTC


def test_json_documents_array_or_object_with_a_list(write: Write) -> None:
    array = json.dumps(
        [
            {"time": "2024-03-05 21:14", "content": "今天必须还", "from": "李经理"},
            {"time": "2024-03-05 21:15", "content": "好", "from": "我"},
        ],
        ensure_ascii=False,
        indent=2,
    )
    wrapped = json.dumps({"chat": "李经理", "messages": json.loads(array)}, indent=1)
    for name, text in (("a.json", array), ("b.txt", wrapped)):
        messages, report = run(write(name, text))
        assert [(m.text, m.direction, m.position) for m in messages] == [
            ("今天必须还", Direction.IN, "item 0"),
            ("好", Direction.OUT, "item 1"),
        ], name
        assert report.files[0].format == "json"
    _, report = run(write("bad.json", '[\n{"content": 1},\n'))
    assert "invalid JSON" in report.rejected[0].problem


def test_equal_times_keep_reading_order(write: Write) -> None:
    lines = [f"2024-03-05 10:00 第{i}条" for i in range(1, 13)] + [f"无时间 {i}" for i in range(12)]
    messages, _ = ingest([write("same.txt", "\n".join(lines) + "\n")])
    assert [m.text for m in messages] == [f"第{i}条" for i in range(1, 13)] + [
        f"无时间 {i}" for i in range(12)
    ]


def test_text_cut_inside_a_character_is_rejected_at_that_line(write: Write) -> None:
    data = WECHAT_EXPORT.encode("gb18030")
    messages, report = run(write("cut.txt", data[:-6]), me=("小明",))  # cut inside 我在筹钱
    assert [m.text for m in messages] == [
        "【XX金融】您已逾期15天，今天下午五点前必须还款",
        "否则我们将派人上门",
    ]
    [rejected] = report.rejected
    assert rejected.line == 6 and "invalid gb18030 bytes" in rejected.problem
    assert rejected.kept == 2
