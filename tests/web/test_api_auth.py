"""Accounts over HTTP: register, login, me, logout; wrong passwords, the rate limit, session
expiry and the CSRF check for cookie-authenticated requests."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from web_fixtures import PASSWORD, Clock, bearer, make_user

from dunguard.cases.model import Role
from dunguard.web.app import AppContext
from dunguard.web.deps import COOKIE

API = "/api/v1"


def _register(client: TestClient, email: str = "li.ming@example.cn") -> dict[str, str]:
    response = client.post(
        f"{API}/auth/register",
        json={"email": email, "password": PASSWORD, "name": "李明", "phone": "13800138000"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


def test_register_login_me_logout(client: TestClient) -> None:
    user = _register(client, "Li.Ming@Example.CN")
    assert user["email"] == "li.ming@example.cn" and user["role"] == "borrower"
    assert "password" not in str(user) and "phone" not in user

    login = client.post(
        f"{API}/auth/login", json={"email": "li.ming@example.cn", "password": PASSWORD}
    )
    assert login.status_code == 200
    body = login.json()
    assert body["user"]["id"] == user["id"] and body["token"] and body["csrf"]
    assert login.cookies.get(COOKIE) == body["token"]
    client.cookies.clear()

    headers = {"Authorization": f"Bearer {body['token']}"}
    me = client.get(f"{API}/me", headers=headers)
    assert me.status_code == 200 and me.json()["id"] == user["id"]
    assert me.headers["cache-control"] == "no-store"

    assert client.post(f"{API}/auth/logout", headers=headers).status_code == 204
    after = client.get(f"{API}/me", headers=headers)
    assert after.status_code == 401 and "sign in" in after.json()["error"]


def test_register_refuses_duplicates_and_weak_passwords(client: TestClient) -> None:
    _register(client)
    again = client.post(
        f"{API}/auth/register",
        json={"email": "li.ming@example.cn", "password": PASSWORD, "name": "x"},
    )
    assert again.status_code == 409 and "already exists" in again.json()["error"]
    weak = client.post(
        f"{API}/auth/register", json={"email": "b@example.cn", "password": "short", "name": "x"}
    )
    assert weak.status_code == 400 and weak.json()["error"].startswith("password")
    bad = client.post(
        f"{API}/auth/register", json={"email": "not-an-address", "password": PASSWORD, "name": "x"}
    )
    assert bad.status_code == 400 and bad.json()["error"].startswith("e-mail")


def test_wrong_password_is_401_and_says_nothing_about_the_account(client: TestClient) -> None:
    _register(client)
    wrong = client.post(
        f"{API}/auth/login", json={"email": "li.ming@example.cn", "password": "x" * 12}
    )
    unknown = client.post(
        f"{API}/auth/login", json={"email": "nobody@example.cn", "password": "x" * 12}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"error": "wrong e-mail or password"}


def test_login_rate_limit_answers_429_with_retry_after(client: TestClient, ctx: AppContext) -> None:
    _register(client)
    limit = ctx.settings.max_failures_per_account
    for _ in range(limit):
        response = client.post(
            f"{API}/auth/login", json={"email": "li.ming@example.cn", "password": "wrong password"}
        )
        assert response.status_code == 401
    # Past the limit even the right password is refused until the window has passed.
    blocked = client.post(
        f"{API}/auth/login", json={"email": "li.ming@example.cn", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    retry = int(blocked.headers["retry-after"])
    assert 0 < retry <= int(ctx.settings.login_window.total_seconds()) + 1
    assert "too many failed logins" in blocked.json()["error"]


def test_rate_limit_lifts_after_the_window(
    client: TestClient, ctx: AppContext, clock: Clock
) -> None:
    _register(client)
    for _ in range(ctx.settings.max_failures_per_account):
        client.post(
            f"{API}/auth/login", json={"email": "li.ming@example.cn", "password": "wrong one!"}
        )
    clock.now += ctx.settings.login_window + timedelta(seconds=1)
    ok = client.post(
        f"{API}/auth/login", json={"email": "li.ming@example.cn", "password": PASSWORD}
    )
    assert ok.status_code == 200


def test_session_expires(client: TestClient, ctx: AppContext, clock: Clock) -> None:
    user = make_user(ctx)
    headers = bearer(ctx, user)
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    clock.now += ctx.settings.session_ttl - timedelta(seconds=1)
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    clock.now += timedelta(seconds=2)
    expired = client.get(f"{API}/me", headers=headers)
    assert expired.status_code == 401


def test_cookie_requests_that_change_something_need_the_csrf_token(
    client: TestClient, ctx: AppContext
) -> None:
    user = make_user(ctx, email="li.ming@example.cn")
    login = client.post(f"{API}/auth/login", json={"email": user.email, "password": PASSWORD})
    csrf = login.json()["csrf"]
    # Reading with the cookie alone is fine.
    assert client.get(f"{API}/me").status_code == 200
    form = {"platform": "quickloan", "account_ref": "QL-1", "jurisdiction": "cn"}
    refused = client.post(f"{API}/cases", data=form)
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
    wrong = client.post(f"{API}/cases", data=form, headers={"X-CSRF-Token": "not-it"})
    assert wrong.status_code == 403
    assert client.get(f"{API}/cases").json()["total"] == 0  # nothing was filed
    filed = client.post(f"{API}/cases", data=form, headers={"X-CSRF-Token": csrf})
    assert filed.status_code == 201, filed.text
    # A bearer token needs no CSRF token (browsers never send it on their own).
    client.cookies.clear()
    headers = bearer(ctx, user)
    case_id = filed.json()["id"]
    withdrawn = client.post(f"{API}/cases/{case_id}/actions/withdraw", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    # Logging out with the cookie needs the token too.
    client.post(f"{API}/auth/login", json={"email": user.email, "password": PASSWORD})
    assert client.post(f"{API}/auth/logout").status_code == 403


def test_admin_creates_staff_accounts(client: TestClient, ctx: AppContext) -> None:
    admin = make_user(ctx, Role.ADMIN, name="Admin")
    borrower = make_user(ctx)
    staff = {
        "email": "desk@quickloan.example",
        "password": PASSWORD,
        "name": "Complaints desk",
        "role": "platform",
        "tenant": "quickloan",
    }
    refused = client.post(f"{API}/admin/users", json=staff, headers=bearer(ctx, borrower))
    assert refused.status_code == 403
    created = client.post(f"{API}/admin/users", json=staff, headers=bearer(ctx, admin))
    assert created.status_code == 201
    assert created.json()["role"] == "platform" and created.json()["tenant"] == "quickloan"
    no_tenant = client.post(
        f"{API}/admin/users",
        json={**staff, "email": "x@quickloan.example", "tenant": ""},
        headers=bearer(ctx, admin),
    )
    assert no_tenant.status_code == 400 and no_tenant.json()["error"].startswith("tenant")
    listed = client.get(f"{API}/admin/users", headers=bearer(ctx, admin)).json()
    assert {u["email"] for u in listed} >= {"desk@quickloan.example", borrower.email}
