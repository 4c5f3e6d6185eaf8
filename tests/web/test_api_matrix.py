"""The role matrix: every endpoint under /api/v1, every role, own versus other tenant.

Routes are enumerated from the API router and from a built app, so an endpoint without an
entry in ``MATRIX`` fails ``test_every_api_route_has_a_matrix_entry``. For each endpoint and
each role (anonymous, the borrower who owns the target case and another borrower, staff of the
target case's platform and of another platform, a regulator, an admin) the status code is
asserted, and no response body may contain data the role must not see: the other tenant's case
(summary, account reference, complainant's name, phone, e-mail, platform, evidence text), and
the minimised parts of the target case (full phone and e-mail for platform staff; name, phone,
e-mail, account reference and evidence messages for a regulator until the case is escalated).

Every request runs against a fresh target case brought to the state the endpoint needs, with a
fresh session of the role, so a refused request and an accepted one never see each other's
effects.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from web_fixtures import PASSWORD, Clock, build_app, make_user, web_settings

from dunguard.cases.model import Complainant, Role
from dunguard.cases.service import Upload
from dunguard.cases.workflow import Action
from dunguard.web.api import router
from dunguard.web.app import AppContext

ROLES = (
    "anonymous",
    "borrower_own",
    "borrower_other",
    "platform_own",
    "platform_other",
    "regulator",
    "admin",
)

OWN = {
    "name": "OWNNAME甲乙",
    "phone": "13911112222",
    "email": "own.borrower@example.cn",
    "account_ref": "ACCT-OWN-4711",
    "summary": "SUMMARY-OWN-marker",
    "platform": "alpha-loans",
    "evidence": "EVIDENCE-OWN-marker 不还钱就让你坐牢",
}
OTHER = {
    "name": "OTHERNAME丙丁",
    "phone": "13733334444",
    "email": "other.borrower@example.cn",
    "account_ref": "ACCT-OTHER-9876",
    "summary": "SUMMARY-OTHER-marker",
    "platform": "beta-credit",
    "evidence": "EVIDENCE-OTHER-marker 不还钱就爆你通讯录",
}
_OWN_ALL = tuple(v.split(" ")[0] for v in OWN.values())
_OTHER_ALL = tuple(v.split(" ")[0] for v in OTHER.values())
#: What platform staff of the case's platform must not see of its complainant.
_OWN_CONTACT = (OWN["phone"], OWN["email"])
#: What a regulator must not see of a case not escalated to them.
_OWN_PERSONAL = (OWN["name"], OWN["phone"], OWN["email"], OWN["account_ref"], "EVIDENCE-OWN")
_OTHER_PERSONAL = (
    OTHER["name"],
    OTHER["phone"],
    OTHER["email"],
    OTHER["account_ref"],
    "EVIDENCE-OTHER",
)

#: The workflow steps (as admin) that bring a freshly filed case to a state.
STATES: dict[str, tuple[Action, ...]] = {
    "filed": (),
    "acknowledged": (Action.ACKNOWLEDGE,),
    "responded": (Action.ACKNOWLEDGE, Action.RESPOND),
    "disputed": (Action.ACKNOWLEDGE, Action.RESPOND, Action.DISPUTE),
    "escalated": (Action.ACKNOWLEDGE, Action.RESPOND, Action.DISPUTE, Action.ESCALATE),
}


def expect(*codes: int) -> dict[str, int]:
    """Statuses in ``ROLES`` order."""
    assert len(codes) == len(ROLES)
    return dict(zip(ROLES, codes, strict=True))


PUBLIC_READ = expect(401, 200, 200, 200, 200, 200, 200)
ADMIN_ONLY = expect(401, 403, 403, 403, 403, 403, 403)
CASE_VIEW = expect(401, 200, 404, 200, 404, 200, 200)
PLATFORM_STEP = expect(401, 403, 404, 200, 404, 403, 200)
BORROWER_STEP = expect(401, 200, 404, 403, 404, 403, 200)

_seq = itertools.count(1)


class World:
    """The app with one user per role, the other tenant's case, and target cases on demand."""

    def __init__(self, app_ctx: AppContext, client: TestClient) -> None:
        self.ctx = app_ctx
        self.client = client
        ctx = app_ctx
        self.users = {
            "borrower_own": make_user(
                ctx, name=OWN["name"], phone=OWN["phone"], email=OWN["email"]
            ),
            "borrower_other": make_user(
                ctx, name=OTHER["name"], phone=OTHER["phone"], email=OTHER["email"]
            ),
            "platform_own": make_user(
                ctx, Role.PLATFORM, tenant=OWN["platform"], name="Alpha desk"
            ),
            "platform_other": make_user(
                ctx, Role.PLATFORM, tenant=OTHER["platform"], name="Beta desk"
            ),
            "regulator": make_user(ctx, Role.REGULATOR, name="Regulator"),
            "admin": make_user(ctx, Role.ADMIN, name="Admin"),
        }
        self.other_case = self.file(self.users["borrower_other"].actor, OTHER)
        self.evidence_sha = ""

    def file(self, actor: Any, data: dict[str, str]) -> str:
        user = self.users["borrower_own" if data is OWN else "borrower_other"]
        case = self.ctx.cases.file_case(
            actor,
            complainant=Complainant(user.id, data["name"], data["phone"], data["email"]),
            platform=data["platform"],
            account_ref=data["account_ref"],
            jurisdiction="CN",
            summary=data["summary"],
            evidence=[
                Upload(
                    "evidence.txt",
                    "text/plain",
                    io.BytesIO(data["evidence"].encode()),
                    messages=[{"id": "m1", "text": data["evidence"]}],
                )
            ],
        )
        return case.id

    def target(self, state: str) -> str:
        """A new case of the own borrower against the own platform, in ``state``."""
        case_id = self.file(self.users["borrower_own"].actor, OWN)
        for step in STATES[state]:
            self.ctx.cases.act(self.users["admin"].actor, case_id, step, "step")
        self.evidence_sha = self.ctx.cases.evidence(self.users["admin"].actor, case_id)[0].sha256
        return case_id

    def headers(self, role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        token = self.ctx.accounts.open_session(self.users[role]).token
        return {"Authorization": f"Bearer {token}"}


Body = Callable[[World, str], dict[str, Any]]


def _none(world: World, role: str) -> dict[str, Any]:
    return {}


def _register(world: World, role: str) -> dict[str, Any]:
    n = next(_seq)
    return {"json": {"email": f"new{n}@example.cn", "password": PASSWORD, "name": "新用户"}}


def _login(world: World, role: str) -> dict[str, Any]:
    if role == "anonymous":
        return {"json": {"email": "nobody@example.cn", "password": "not the password"}}
    return {"json": {"email": world.users[role].email, "password": PASSWORD}}


def _admin_user(world: World, role: str) -> dict[str, Any]:
    n = next(_seq)
    return {
        "json": {
            "email": f"staff{n}@example.cn",
            "password": PASSWORD,
            "name": "Staff",
            "role": "regulator",
        }
    }


def _file_case(world: World, role: str) -> dict[str, Any]:
    n = next(_seq)
    return {
        "data": {
            "platform": "gamma-pay",
            "account_ref": f"G-{n}",
            "jurisdiction": "cn",
            "summary": "neutral",
        },
        "files": [("files", (f"sms{n}.txt", f"不还钱就让你坐牢 {n}".encode(), "text/plain"))],
    }


def _evidence_file(world: World, role: str) -> dict[str, Any]:
    n = next(_seq)
    return {"files": {"file": (f"more{n}.txt", f"第{n}条：再不还钱就上门".encode(), "text/plain")}}


def _note(world: World, role: str) -> dict[str, Any]:
    return {"json": {"note": "matrix"}}


def _detect(world: World, role: str) -> dict[str, Any]:
    return {"json": {"texts": ["再不还钱就让你坐牢"]}}


def _categorise(world: World, role: str) -> dict[str, Any]:
    return {"json": {"texts": ["他们一天给我打几十个电话"]}}


def _gate(world: World, role: str) -> dict[str, Any]:
    return {
        "json": {
            "policy": "cn",
            "person_id": "P1",
            "account_id": "A1",
            "channel": "call",
            "at": "2024-05-01T10:00:00+08:00",
            "role": "debtor",
            "tz": "Asia/Shanghai",
            "events": [],
        }
    }


@dataclass(frozen=True)
class Probe:
    """One concrete request to an endpoint, with the expected status per role."""

    path: str
    """The route's path with {case_id}, {sha256} and {action} filled in per call."""
    statuses: dict[str, int]
    body: Body = _none
    state: str = "filed"
    action: str = ""
    shows_own: tuple[str, ...] = ()
    """Roles whose successful answer must contain the target case's summary (the check is
    not vacuous)."""
    extra: dict[str, Any] = field(default_factory=dict)


def _actions() -> list[Probe]:
    path = "/api/v1/cases/{case_id}/actions/{action}"
    return [
        Probe(path, PLATFORM_STEP, _note, "filed", "acknowledge"),
        Probe(path, PLATFORM_STEP, _note, "acknowledged", "respond"),
        Probe(path, BORROWER_STEP, _note, "responded", "accept"),
        Probe(path, BORROWER_STEP, _note, "responded", "dispute"),
        Probe(path, BORROWER_STEP, _note, "disputed", "escalate"),
        Probe(path, expect(401, 403, 404, 403, 404, 200, 200), _note, "escalated", "resolve"),
        Probe(path, BORROWER_STEP, _note, "filed", "withdraw"),
        Probe(path, expect(401, 403, 404, 200, 404, 200, 200), _note, "filed", "forward"),
    ]


_SEE_OWN = ("borrower_own", "platform_own", "regulator", "admin")

#: (method, route path) -> the probes of that endpoint.
MATRIX: dict[tuple[str, str], list[Probe]] = {
    ("POST", "/api/v1/auth/register"): [
        Probe("/api/v1/auth/register", expect(201, 201, 201, 201, 201, 201, 201), _register)
    ],
    ("POST", "/api/v1/auth/login"): [
        Probe("/api/v1/auth/login", expect(401, 200, 200, 200, 200, 200, 200), _login)
    ],
    ("POST", "/api/v1/auth/logout"): [
        Probe("/api/v1/auth/logout", expect(401, 204, 204, 204, 204, 204, 204))
    ],
    ("GET", "/api/v1/me"): [Probe("/api/v1/me", PUBLIC_READ)],
    ("POST", "/api/v1/admin/users"): [
        Probe("/api/v1/admin/users", expect(401, 403, 403, 403, 403, 403, 201), _admin_user)
    ],
    ("GET", "/api/v1/admin/users"): [
        Probe("/api/v1/admin/users", expect(401, 403, 403, 403, 403, 403, 200))
    ],
    ("POST", "/api/v1/cases"): [
        Probe("/api/v1/cases", expect(401, 201, 201, 403, 403, 403, 201), _file_case)
    ],
    ("GET", "/api/v1/cases"): [Probe("/api/v1/cases", PUBLIC_READ, shows_own=_SEE_OWN)],
    ("GET", "/api/v1/cases/{case_id}"): [
        Probe("/api/v1/cases/{case_id}", CASE_VIEW, shows_own=_SEE_OWN)
    ],
    ("GET", "/api/v1/cases/{case_id}/events"): [
        Probe("/api/v1/cases/{case_id}/events", CASE_VIEW, shows_own=_SEE_OWN)
    ],
    ("GET", "/api/v1/cases/{case_id}/findings"): [
        Probe("/api/v1/cases/{case_id}/findings", CASE_VIEW)
    ],
    ("GET", "/api/v1/cases/{case_id}/evidence"): [
        Probe("/api/v1/cases/{case_id}/evidence", CASE_VIEW)
    ],
    ("GET", "/api/v1/cases/{case_id}/evidence/{sha256}"): [
        Probe(
            "/api/v1/cases/{case_id}/evidence/{sha256}", expect(401, 200, 404, 200, 404, 403, 200)
        ),
        Probe(
            "/api/v1/cases/{case_id}/evidence/{sha256}",
            expect(401, 200, 404, 200, 404, 200, 200),
            state="escalated",
        ),
    ],
    ("POST", "/api/v1/cases/{case_id}/evidence"): [
        Probe(
            "/api/v1/cases/{case_id}/evidence",
            expect(401, 201, 404, 201, 404, 403, 201),
            _evidence_file,
        )
    ],
    ("POST", "/api/v1/cases/{case_id}/actions/{action}"): _actions(),
    ("GET", "/api/v1/cases/{case_id}/export"): [
        Probe("/api/v1/cases/{case_id}/export", expect(401, 200, 404, 403, 404, 403, 200)),
        Probe(
            "/api/v1/cases/{case_id}/export",
            expect(401, 200, 404, 403, 404, 200, 200),
            state="escalated",
        ),
    ],
    ("GET", "/api/v1/cases/{case_id}/letter"): [
        Probe("/api/v1/cases/{case_id}/letter", CASE_VIEW, shows_own=_SEE_OWN)
    ],
    ("GET", "/api/v1/cases/{case_id}/verify"): [
        Probe("/api/v1/cases/{case_id}/verify", expect(401, 403, 403, 403, 403, 403, 200))
    ],
    ("POST", "/api/v1/detect"): [Probe("/api/v1/detect", PUBLIC_READ, _detect)],
    ("POST", "/api/v1/categorise"): [Probe("/api/v1/categorise", PUBLIC_READ, _categorise)],
    ("POST", "/api/v1/gate"): [Probe("/api/v1/gate", PUBLIC_READ, _gate)],
    ("GET", "/api/v1/stats/cases"): [Probe("/api/v1/stats/cases", PUBLIC_READ)],
    ("GET", "/api/v1/stats/response-times"): [Probe("/api/v1/stats/response-times", PUBLIC_READ)],
    ("GET", "/api/v1/stats/overdue"): [Probe("/api/v1/stats/overdue", PUBLIC_READ)],
    ("GET", "/api/v1/openapi.json"): [Probe("/api/v1/openapi.json", expect(*[200] * 7))],
}


def _route_keys(routes: list[Any]) -> set[tuple[str, str]]:
    """(method, path) of every route under /api/v1, included routers flattened."""
    return {
        (method, context.path)
        for context in iter_route_contexts(routes)
        if context.path.startswith("/api/v1/")
        for method in (context.methods or ())
        if method != "HEAD"
    }


ROUTES = sorted(_route_keys(router.routes))
DOCUMENT = ("GET", "/api/v1/openapi.json")


def forbidden(role: str, state: str) -> tuple[str, ...]:
    """Strings that must appear in no answer to ``role`` (target case in ``state``)."""
    if role in ("anonymous", "borrower_other", "platform_other"):
        return _OWN_ALL
    if role == "borrower_own":
        return _OTHER_ALL
    if role == "platform_own":
        return _OTHER_ALL + _OWN_CONTACT
    if role == "regulator":
        own = () if state == "escalated" else _OWN_PERSONAL
        return own + _OTHER_PERSONAL
    return ()


def _text(response: Any) -> str:
    if response.headers.get("content-type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return str(response.content.decode("utf-8", "replace"))


@pytest.fixture
def world(case_db_url: str, tmp_path: Path) -> Iterator[World]:
    app = build_app(web_settings(case_db_url, tmp_path), Clock())
    with TestClient(app) as client:
        yield World(app.state.ctx, client)
    app.state.ctx.engine.dispose()


def test_every_api_route_has_a_matrix_entry(tmp_path: Path) -> None:
    app = build_app(web_settings("sqlite://", tmp_path), Clock())
    in_app = _route_keys(app.routes)
    # The app's routes: the API router's and the OpenAPI document.
    assert in_app == {*ROUTES, DOCUMENT}
    missing = sorted(in_app - set(MATRIX))
    assert not missing, f"endpoints without a role-matrix entry: {missing}"
    stale = sorted(set(MATRIX) - in_app)
    assert not stale, f"matrix entries for endpoints that do not exist: {stale}"
    for probes in MATRIX.values():
        assert all(set(p.statuses) == set(ROLES) for p in probes)
    actions = {p.action for p in MATRIX[("POST", "/api/v1/cases/{case_id}/actions/{action}")]}
    assert actions == {
        "acknowledge",
        "respond",
        "accept",
        "dispute",
        "escalate",
        "resolve",
        "withdraw",
        "forward",
    }


@pytest.mark.parametrize("route", [*ROUTES, DOCUMENT], ids=lambda r: f"{r[0]} {r[1]}")
def test_role_matrix(world: World, route: tuple[str, str]) -> None:
    method, _ = route
    failures: list[str] = []
    for probe in MATRIX[route]:
        for role in ROLES:
            case_id = world.target(probe.state)
            path = probe.path.format(
                case_id=case_id, sha256=world.evidence_sha, action=probe.action
            )
            response = world.client.request(
                method, path, headers=world.headers(role), **probe.body(world, role)
            )
            world.client.cookies.clear()
            where = f"{method} {path.replace(case_id, '{id}')} as {role} ({probe.state})"
            want = probe.statuses[role]
            if response.status_code != want:
                failures.append(f"{where}: {response.status_code}, expected {want}")
                continue
            body = _text(response)
            leaked = [m for m in forbidden(role, probe.state) if m in body]
            if leaked:
                failures.append(f"{where}: body holds {leaked}")
            if role in probe.shows_own and OWN["summary"] not in body:
                failures.append(f"{where}: the case itself is missing from the answer")
    assert not failures, "\n".join(failures)
