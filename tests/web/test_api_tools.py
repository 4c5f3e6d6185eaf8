"""``POST /categorise``: complaint narratives in, categories with their rule and quote out; the
same reading as the library's categoriser, nothing stored."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web_fixtures import bearer, make_user

from dunguard.cases.model import Role
from dunguard.models.categorise import Categoriser
from dunguard.web.app import AppContext

API = "/api/v1"
TEXTS = [
    "催收凌晨两点打电话给我妈，说我欠钱不还",
    "They call me 20 times a day and they called my boss.",
    "我想申请延期还款",
]


def test_categorise_gives_the_library_reading(client: TestClient, ctx: AppContext) -> None:
    headers = bearer(ctx, make_user(ctx, Role.PLATFORM, tenant="quickloan", name="Desk"))
    res = client.post(f"{API}/categorise", json={"texts": TEXTS}, headers=headers)
    assert res.status_code == 200, res.text
    results = res.json()["results"]
    assert [(r["index"], r["lang"]) for r in results] == [(0, "zh"), (1, "en"), (2, "zh")]
    expected = Categoriser().explain_many(TEXTS)
    for got, want in zip(results, expected, strict=True):
        assert [c["category"] for c in got["categories"]] == [c.category for c in want]
    first = {c["category"]: c for c in results[0]["categories"]}
    assert set(first) == {"contact.quiet_hours", "disclosure.third_party"}
    quiet = first["contact.quiet_hours"]
    assert quiet["source"] == "rules" and quiet["rule"].startswith("narrative-zh.")
    assert quiet["quote"] in TEXTS[0] and quiet["quote"] in quiet["explanation"]
    assert quiet["category_name"] == "不当时间联系"
    assert results[2]["categories"] == []
    # English names for English narratives; a strict reading drops nothing here.
    assert results[1]["categories"][0]["category_name"] == "contact frequency over the cap"
    strict = client.post(
        f"{API}/categorise", json={"texts": TEXTS[1:2], "preset": "strict"}, headers=headers
    )
    assert [c["category"] for c in strict.json()["results"][0]["categories"]] == [
        c["category"] for c in results[1]["categories"]
    ]


def test_categorise_sources_and_refusals(client: TestClient, ctx: AppContext) -> None:
    headers = bearer(ctx, make_user(ctx))
    model = client.post(
        f"{API}/categorise",
        json={"texts": [TEXTS[1]], "source": "model", "lang": "en"},
        headers=headers,
    )
    assert model.status_code == 200, model.text
    cats = model.json()["results"][0]["categories"]
    assert cats and all(c["source"] == "model" and c["rule"] is None for c in cats)
    empty = client.post(f"{API}/categorise", json={"texts": []}, headers=headers)
    assert empty.json() == {"results": []}
    bad = client.post(f"{API}/categorise", json={"texts": ["x"], "source": "llm"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "source"]
    many = client.post(f"{API}/categorise", json={"texts": ["x"] * 1001}, headers=headers)
    assert many.status_code == 422
    anonymous = client.post(f"{API}/categorise", json={"texts": ["x"]})
    assert anonymous.status_code == 401
