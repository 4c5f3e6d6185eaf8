"""Policy packs are data, validated on load; errors name the file, the entry and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dunguard.errors import RulePackError
from dunguard.policy import load_pack
from dunguard.policy.packs import POLICY_KINDS
from dunguard.policy.queries import policy_sql


@pytest.mark.parametrize("name", ["cn", "us"])
def test_builtin_packs_load_with_citations_and_confidence(name: str) -> None:
    pack = load_pack(name)
    assert pack.name == name
    assert {p.kind for p in pack.policies} <= set(POLICY_KINDS)
    for p in pack.policies:
        assert p.id.startswith(f"{name}.contact.")
        assert p.citations and all(c.ref for c in p.citations)
        assert p.confidence[0] in "ABC"
        assert "SELECT" in policy_sql(p)


def test_the_uncertain_cn_numbers_say_so() -> None:
    pack = load_pack("cn")
    assert pack.policy("cn.contact.daily_attempt_cap.v1").confidence.startswith("C")
    assert "counting unit" in pack.policy("cn.contact.daily_answered_cap.v1").note


def _pack_file(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(
        (Path(__file__).parents[2] / "src/dunguard/policy/packs/us.yaml").read_text("utf-8")
    )
    change(data)
    path = tmp_path / "my-us.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_changed_copy_is_used(tmp_path: Path) -> None:
    def lower(d: dict[str, Any]) -> None:
        d["policies"][1]["params"]["limit"] = 5

    pack = load_pack(_pack_file(tmp_path, lower))
    assert pack.policy("us.contact.seven_in_seven.v1").num("limit") == 5


def _set(path: list[Any], value: Any) -> Any:
    def change(d: dict[str, Any]) -> None:
        target = d
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set(["policies", 0, "kind"], "curfew"), "us.contact.quiet_hours.v1: unknown kind"),
        (_set(["policies", 0, "params", "start"], "9pm"), "expected a time HH:MM:SS"),
        (_set(["policies", 1, "params", "limit"], 0), "expected a positive integer"),
        (_set(["policies", 1, "params", "roles"], ["boss"]), "a list of roles"),
        (_set(["policies", 1, "params", "extra"], 1), "unknown parameter"),
        (_set(["policies", 2, "params", "days"], KeyError), "missing parameter 'days'"),
        (_set(["policies", 0, "category"], "threat.violence"), "not a contact.* category"),
        (_set(["policies", 0, "citations"], []), "citations must be a non-empty list"),
        (_set(["policies", 0, "sentence", "en"], "at {when}"), "unknown field 'when'"),
        (_set(["policies", 0, "id"], "quiet"), "must look like"),
        (_set(["default_tz"], "Mars/Base"), "unknown default_tz"),
        (_set(["policies", 1, "id"], "us.contact.quiet_hours.v1"), "duplicate policy id"),
    ],
)
def test_invalid_packs_are_refused_with_file_and_entry(
    tmp_path: Path, change: Any, message: str
) -> None:
    path = _pack_file(tmp_path, change)
    with pytest.raises(RulePackError) as err:
        load_pack(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_unknown_pack_name() -> None:
    with pytest.raises(RulePackError, match="use one of cn, us"):
        load_pack("uk")
