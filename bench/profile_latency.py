"""Benchmark: the file's API, page and search under 50 concurrent clients, on PostgreSQL.

    nice -n 10 .venv/bin/python bench/profile_latency.py \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/lt_profile [--duration 30] [--json]

Samples businesses that have records, and search terms as officials type them (short names,
credit-code prefixes, road names, legal representatives' full names); creates a province analyst
(the widest scope: every query filters by jurisdiction all the same); starts the app with uvicorn
(2 workers); then drives each group of URLs for ``--duration`` seconds with ``wrk`` (Debian
package ``wrk``; ``bench/profile_latency.lua``) from a second process on loopback: 50
connections, each one official who pauses ``--think-ms`` on average (exponential) between
answers and requests. A last pass with no pause (closed loop) shows the saturation throughput.
Prints one JSON object: p50/p90/p99/max in ms, requests per second, errors.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote
from urllib.request import Request, urlopen

from sqlalchemy import select, text

from lookthrough.accounts import service as accounts_service
from lookthrough.accounts import sessions
from lookthrough.accounts.models import User
from lookthrough.core.actor import Actor
from lookthrough.core.config import Settings
from lookthrough.core.db import make_engine, session_scope
from lookthrough.core.roles import Role
from lookthrough.profile.rules import read_query

HERE = Path(__file__).resolve().parent
USERNAME = "bench_profile"
TARGETS = {"file_api": 50, "timeline_api": 50, "graph_api": 50, "page": 150, "search": 200}


def sample(url: str, n: int, seed: int) -> dict[str, list[str]]:
    """Paths for each group, from businesses that have records."""
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execute(text("SELECT setseed(:s)"), {"s": seed / 1000})
        rows = conn.execute(
            text(
                "SELECT e.id, e.name, e.uscc, e.address, e.legal_rep FROM entity e "
                "TABLESAMPLE SYSTEM (2) REPEATABLE (:seed) "
                "WHERE EXISTS (SELECT 1 FROM record r WHERE r.entity_id = e.id) LIMIT :n"
            ),
            {"seed": seed, "n": n},
        ).all()
    engine.dispose()
    rng = random.Random(seed)
    ids = [int(r[0]) for r in rows]
    terms: list[str] = []
    for _id, name, uscc, address, legal_rep in rows:
        kind = rng.randrange(4)
        if kind == 0 or not (uscc and address and legal_rep):
            terms.append(read_query(name).core)  # the short name people write
        elif kind == 1:
            terms.append(uscc[: rng.choice((10, 14, 18))])
        elif kind == 2:
            road = re.search(r"[\u4e00-\u9fff]{2,4}(路|街|大道|巷)\d+号", address)
            terms.append(road.group(0) if road else address[-8:])
        else:
            terms.append(legal_rep)
    return {
        "file_api": [f"/api/v1/profiles/{i}" for i in ids],
        "timeline_api": [f"/api/v1/profiles/{i}/timeline?limit=30" for i in ids],
        "graph_api": [f"/api/v1/profiles/{i}/graph" for i in ids],
        "page": [f"/entities/{i}" for i in ids],
        "search": [f"/api/v1/profiles?q={quote(t)}" for t in terms],
    }


def token_for(url: str) -> str:
    settings = Settings(database_url=url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        user = session.scalar(select(User).where(User.username == USERNAME))
        if user is None:
            user = accounts_service.create_user(
                session,
                actor=Actor.system("bench"),
                settings=settings,
                new=accounts_service.NewUser(
                    username=USERNAME, display_name="性能测试（省局）",
                    role=Role.PROVINCE_ANALYST, region_code="34",
                    password=f"Bench-{secrets.token_hex(8)}-9a",
                    entity_uscc=None, must_change_password=False,
                ),
            )  # fmt: skip
        token, _ = sessions.open_session(
            session, settings=settings, user=user, ip="127.0.0.1", user_agent="bench"
        )
    engine.dispose()
    return token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOOKTHROUGH_DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "lookthrough.api.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
         "--no-access-log", "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urlopen(f"http://127.0.0.1:{port}/login", timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the server did not start")


def warm(port: int, paths: list[str], token: str) -> None:
    """One request at a time (nothing cut off): plans, pools and caches warm."""
    for path in paths:
        request = Request(
            f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"}
        )
        with urlopen(request, timeout=30) as response:  # noqa: S310 (our own server)
            response.read()


def machine_counters() -> tuple[float, float]:
    """(CPU seconds stolen by the hypervisor, CPU seconds busy) so far, all cores (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return steal / tick, (user + nice + system + irq + softirq) / tick


def run_wrk(
    port: int, paths: list[str], token: str, duration: int, connections: int, think_ms: int
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    env = {**os.environ, "LT_TOKEN": token, "LT_PATHS": handle.name}
    env["LT_THINK_MS"] = str(think_ms)
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
         "-s", str(HERE / "profile_latency.lua"), f"http://127.0.0.1:{port}"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    Path(handle.name).unlink()
    line = next(x for x in out.splitlines() if x.startswith("JSON "))
    result: dict[str, float] = json.loads(line[5:])
    return result


def measured_run(
    port: int, paths: list[str], token: str, duration: int, connections: int, think_ms: int
) -> dict[str, float]:
    """run_wrk, with what the machine did meanwhile: a noisy neighbour shows as steal, another
    program on the cores as busy time beyond this run's own."""
    steal, busy = machine_counters()
    result = run_wrk(port, paths, token, duration, connections, think_ms)
    steal_after, busy_after = machine_counters()
    result["steal_s"] = round(steal_after - steal, 2)
    result["cores_busy"] = round((busy_after - busy) / duration, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think-ms", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    groups = sample(args.url, args.sample, args.seed)
    token = token_for(args.url)
    port = free_port()
    server = start_server(args.url, port, args.workers)
    results: dict[str, object] = {}
    try:
        for name, paths in groups.items():
            random.Random(args.seed).shuffle(paths)
            run_wrk(port, paths, token, 5, args.connections, args.think_ms)  # warm up
            measured = measured_run(
                port, paths, token, args.duration, args.connections, args.think_ms
            )
            measured["target_p99_ms"] = TARGETS[name]
            results[name] = measured
            print(name, measured, file=sys.stderr)
        saturated = measured_run(
            port, groups["file_api"], token, args.duration, args.connections, 0
        )
        results["file_api_closed_loop"] = saturated
        print("file_api_closed_loop", saturated, file=sys.stderr)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    engine = make_engine(args.url)
    with engine.connect() as conn:
        entities = conn.execute(
            text("SELECT reltuples::bigint FROM pg_class WHERE relname = 'entity'")
        ).scalar()
        records = conn.execute(
            text("SELECT reltuples::bigint FROM pg_class WHERE relname = 'record'")
        ).scalar()
    engine.dispose()
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "entities": entities,
        "records": records,
        "connections": args.connections,
        "workers": args.workers,
        "duration_s": args.duration,
        "think_ms": args.think_ms,
        "results": results,
    }
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
