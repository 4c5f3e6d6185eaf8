"""Case service under load: concurrent clients filing complaints with a small screenshot.

    .venv/bin/python benchmarks/service_load.py [--clients 50] [--seconds 60] [--workers 2]
        [--think 2,6] [--db URL] [--out results.json]

What it does, all on loopback:

1. starts a throwaway PostgreSQL server (the tests' ``tests/pgserver.py``; or uses ``--db``);
2. starts the app with uvicorn in a child process (``--workers`` processes, default Argon2id
   cost, the evidence store in a temporary directory);
3. registers and signs in one borrower per client (not timed);
4. baseline phase (10 s): every client sends ``GET /api/v1/me`` with the same think time, so
   the filing latencies can be read against the server's floor measured in the same run;
5. load phase (``--seconds``): every client files a case (``POST /api/v1/cases``, multipart,
   one PNG chat screenshot of ~10 KB, read by OCR and scanned on arrival), then waits a random
   think time (uniform in ``--think`` seconds, seeded), until the time is up. Each client starts
   at a random point of its cycle (uniform in 0 .. the mean think time), as in a steady state
   rather than fifty simultaneous first requests. Requests still in flight at the end are
   awaited and counted;
6. stops the server, then checks in-process that every case the server acknowledged (HTTP 201)
   is in the database, that its event chain, case row and evidence files verify
   (``CaseService.verify``), and that every evidence file a 201 named is in the store with the
   same SHA-256. Cases in the database that no client saw acknowledged are reported too.

The request loops are bounded in time and count and only ever talk to 127.0.0.1. Results go to
stdout as JSON (and ``--out``); record them in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PLATFORMS = ("quickloan", "easycash", "moneytree", "fastyuan", "luckydai")
MESSAGE = "你再不还钱，明天就去你单位闹，让你全家都知道你是老赖！"


def app_from_env() -> Any:
    """The app for the child process (uvicorn ``--factory``), configured by environment."""
    from dunguard.web import WebSettings, create_app

    settings = WebSettings(
        db_url=os.environ["DUNGUARD_LOAD_DB"],
        evidence_dir=Path(os.environ["DUNGUARD_LOAD_EVIDENCE"]),
    )
    return create_app(settings)


def screenshot() -> bytes:
    """A small chat screenshot (PNG) with a collection message in it."""
    from PIL import Image, ImageDraw, ImageFont

    fonts = [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    ]
    path = next((f for f in fonts if Path(f).exists()), None)
    font: Any = ImageFont.truetype(path, 18) if path else ImageFont.load_default()
    image = Image.new("RGB", (560, 90), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 552, 82), radius=10, fill=(235, 235, 235))
    draw.text((20, 22), MESSAGE[:16], fill="black", font=font)
    draw.text((20, 48), MESSAGE[16:], fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def _summary(latencies: list[float], seconds: float) -> dict[str, float]:
    return {
        "requests": len(latencies),
        "throughput_per_s": round(len(latencies) / seconds, 2),
        "p50_ms": round(_percentile(latencies, 50) * 1000, 1),
        "p90_ms": round(_percentile(latencies, 90) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1) if latencies else float("nan"),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else float("nan"),
    }


class Run:
    def __init__(self, base: str, clients: int, think: tuple[float, float], seed: int) -> None:
        self.base = base
        self.clients = clients
        self.think = think
        self.rng = random.Random(seed)
        self.tokens: list[str] = []
        self.image = screenshot()
        self.acked: dict[str, list[str]] = {}
        self.statuses: Counter[str] = Counter()
        self.errors: list[str] = []

    async def sign_up(self, client: httpx.AsyncClient) -> None:
        run_id = f"{time.time_ns():x}"

        async def one(i: int) -> str:
            email = f"load{i}-{run_id}@example.cn"
            body = {"email": email, "password": "load-test-password", "name": f"借款人{i}"}
            r = await client.post("/api/v1/auth/register", json=body)
            r.raise_for_status()
            r = await client.post(
                "/api/v1/auth/login", json={"email": email, "password": body["password"]}
            )
            r.raise_for_status()
            return str(r.json()["token"])

        self.tokens = list(await asyncio.gather(*(one(i) for i in range(self.clients))))

    async def _loop(
        self, client: httpx.AsyncClient, i: int, until: float, file_cases: bool, out: list[float]
    ) -> None:
        headers = {"authorization": f"Bearer {self.tokens[i]}"}
        rng = random.Random(self.rng.random())
        # Start each client at a random point of its cycle (steady state), not all at once.
        await asyncio.sleep(rng.uniform(0, sum(self.think) / 2))
        n = 0
        while time.perf_counter() < until:
            n += 1
            start = time.perf_counter()
            try:
                if file_cases:
                    r = await client.post(
                        "/api/v1/cases",
                        headers=headers,
                        data={
                            "platform": PLATFORMS[(i + n) % len(PLATFORMS)],
                            "account_ref": f"LOAN-{i:03d}-{n:05d}",
                            "jurisdiction": "cn",
                            "summary": "催收人员威胁到单位闹事并告知家人。",
                        },
                        files=[("files", ("chat.png", self.image, "image/png"))],
                    )
                else:
                    r = await client.get("/api/v1/me", headers=headers)
            except httpx.HTTPError as exc:
                self.statuses[type(exc).__name__] += 1
                self.errors.append(f"client {i}: {type(exc).__name__}: {exc}")
                continue
            out.append(time.perf_counter() - start)
            self.statuses[str(r.status_code)] += 1
            if file_cases and r.status_code == 201:
                data = r.json()
                self.acked[data["id"]] = [f["sha256"] for f in data.get("files", [])]
            elif r.status_code >= 400:
                self.errors.append(f"client {i}: HTTP {r.status_code}: {r.text[:200]}")
            remaining = until - time.perf_counter()
            if remaining <= 0:
                break
            await asyncio.sleep(min(rng.uniform(*self.think), remaining))

    async def phase(self, seconds: float, file_cases: bool) -> dict[str, Any]:
        limits = httpx.Limits(max_connections=self.clients + 5)
        timeout = httpx.Timeout(60.0)
        async with httpx.AsyncClient(base_url=self.base, limits=limits, timeout=timeout) as c:
            if not self.tokens:
                await self.sign_up(c)
            latencies: list[float] = []
            start = time.perf_counter()
            until = start + seconds
            await asyncio.gather(
                *(self._loop(c, i, until, file_cases, latencies) for i in range(self.clients))
            )
            elapsed = time.perf_counter() - start
        return {**_summary(latencies, elapsed), "elapsed_s": round(elapsed, 1)}


def _wait_up(base: str, proc: subprocess.Popen[bytes], limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode} before answering")
        try:
            if httpx.get(f"{base}/api/v1/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer within {limit} s")


def verify(db_url: str, evidence: Path, acked: dict[str, list[str]]) -> dict[str, Any]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from dunguard.cases.evidence_store import LocalEvidenceStore
    from dunguard.cases.service import CaseService, open_engine
    from dunguard.cases.tables import CaseRow

    engine = open_engine(db_url)
    store = LocalEvidenceStore(evidence)
    service = CaseService(engine, store)
    with Session(engine) as s:
        stored = set(s.scalars(select(CaseRow.id)))
    missing = sorted(set(acked) - stored)
    problems: dict[str, list[str]] = {}
    files_checked = 0
    for case_id in sorted(set(acked) & stored):
        found = service.verify(case_id)
        for sha in acked[case_id]:
            files_checked += 1
            issue = store.verify(sha)
            if issue:
                found.append(f"evidence {sha}: {issue}")
        if found:
            problems[case_id] = found
    engine.dispose()
    return {
        "acknowledged_cases": len(acked),
        "cases_in_database": len(stored),
        "acknowledged_but_missing": len(missing),
        "in_database_not_acknowledged": len(stored - set(acked)),
        "cases_failing_verification": len(problems),
        "files_checked": files_checked,
        "examples": {k: v[:3] for k, v in list(problems.items())[:3]},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--baseline-seconds", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--think", default="2,6", help="think time range in seconds, 'MIN,MAX'")
    ap.add_argument("--seed", type=int, default=20241124)
    ap.add_argument("--db", help="a PostgreSQL URL to use instead of a throwaway server")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.clients < 1 or args.seconds <= 0 or args.clients > 500 or args.seconds > 600:
        ap.error("--clients must be 1..500 and --seconds 0..600")
    low, high = (float(x) for x in args.think.split(","))
    server = None
    if args.db:
        db_url = args.db
    else:
        sys.path.insert(0, str(ROOT / "tests"))
        from pgserver import PostgresServer, find_binaries  # type: ignore[import-not-found]

        bindir = find_binaries()
        if bindir is None:
            raise SystemExit("no PostgreSQL binaries: run scripts/test.d/postgres.sh first")
        server = PostgresServer(bindir)
        server.start()
        server._admin.execute('CREATE DATABASE "dunguard_load" TEMPLATE template0')
        db_url = server.url("dunguard_load")
    work = Path(tempfile.mkdtemp(prefix="dunguard-load-"))
    evidence = work / "evidence"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DUNGUARD_LOAD_DB": db_url, "DUNGUARD_LOAD_EVIDENCE": str(evidence)}
    # Migrate once before the workers start, so they do not queue on the migration lock.
    from dunguard.cases.service import open_engine

    open_engine(db_url).dispose()
    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "--app-dir", str(ROOT / "benchmarks"),
        "service_load:app_from_env", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(args.workers), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=work)
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "clients": args.clients,
        "workers": args.workers,
        "think_s": [low, high],
        "database": "postgresql (throwaway server)" if server else "given URL",
    }
    try:
        _wait_up(base, proc)
        run = Run(base, args.clients, (low, high), args.seed)
        result["image_bytes"] = len(run.image)
        result["baseline_get_me"] = asyncio.run(run.phase(args.baseline_seconds, False))
        baseline_statuses = dict(run.statuses)
        run.statuses.clear()
        result["file_case"] = asyncio.run(run.phase(args.seconds, True))
        result["baseline_statuses"] = baseline_statuses
        result["file_case_statuses"] = dict(run.statuses)
        result["errors"] = run.errors[:10]
        result["error_count"] = len(run.errors)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    try:
        result["after"] = verify(db_url, evidence, run.acked)
        fc, bl = result["file_case"], result["baseline_get_me"]
        result["p99_ratio_to_baseline"] = round(fc["p99_ms"] / bl["p99_ms"], 1)
        after = result["after"]
        result["target_met"] = (
            result["error_count"] == 0
            and after["acknowledged_but_missing"] == 0
            and after["cases_failing_verification"] == 0
            and fc["p99_ms"] < 1000
        )
    finally:
        if server is not None:
            if result.get("error_count") or not result.get("target_met"):
                result["postgres_log_tail"] = server.log_tail(15).splitlines()
            server.stop()
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
