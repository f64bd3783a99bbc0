"""Page benchmark (issue 7 item 6): `make bench`, or `.venv/bin/python bench/pages.py --help`.

Builds the national-scale data set on PostgreSQL once (bench/dataset.py, in its own database
`wijk_bench_pages`, reused by later runs), serves it with gunicorn on a free loopback port and
sends GET requests from N concurrent clients (threads, one new HTTP connection per request) to:

* the floor: `/health/`, the same middleware as every page (session, user, acting
  organisation) and no view work; the machine's own noise shows in it;
* the programme dashboard, uncached: the server runs with Django's DummyCache
  (bench/pages_settings.py), so every request computes the figures;
* the programme page `/programmes/<pk>/`.

Each page's p50/p95/max is reported beside the floor's and as a ratio to it. Then, in this
process, one request per page (after a warm-up) counts its SQL queries and times it alone;
`--profile` adds cProfile's top functions and the slowest queries of the uncached dashboard.
Results go to bench/pages-results.json; see bench/README.md, "Pages".
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import os
import platform
import pstats
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PG_SERVER = os.environ.get("WIJK_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("WIJK_BENCH_PAGES_DB", "wijk_bench_pages")
VAR_DIR = Path(os.environ.get("WIJK_BENCH_PAGES_VAR_DIR", ROOT / "var" / "bench-pages"))
DATASET_FILE = BENCH / ".dataset-pages.json"  # git-ignored, like run.py's
RESULTS_FILE = BENCH / "pages-results.json"
HOST = "127.0.0.1"
# Targets of issue 7 item 6.
DASHBOARD_TARGET_MS = 300.0  # the uncached dashboard, one request
PROGRAMME_P95_TARGET_MS = 200.0  # the programme page, p95 with 10 users


def log(text: str) -> None:
    print(text, flush=True)


def _configure_django() -> None:
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    os.environ["WIJK_VAR_DIR"] = str(VAR_DIR)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pages_settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# ------------------------------------------------------------------------------ the data set
def _database_exists() -> bool:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone()
    return row is not None


def _recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


def _cached_dataset(scale: float, charge_months: int) -> dict[str, Any] | None:
    """The data set of an earlier run, when it is there and was made with the same options."""
    if not DATASET_FILE.exists() or not _database_exists():
        return None
    stats = json.loads(DATASET_FILE.read_text())
    if stats.get("scale") != scale or stats.get("charge_months") != charge_months:
        return None
    return dict(stats)


def dataset(scale: float, charge_months: int, regenerate: bool) -> dict[str, Any]:
    """Generate the data set, or reuse the one in the database (new migrations applied)."""
    stats = None if regenerate else _cached_dataset(scale, charge_months)
    if stats is None:
        log(f"generating the data set at scale {scale} in database {PG_DB} (several minutes)")
        _recreate_database()
    _configure_django()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = round(time.perf_counter() - t0, 1)
    if stats is not None:
        log(f"reusing the data set of {stats['generated_at']} ({migrate_s} s of new migrations)")
        stats["migrate_on_reuse_s"] = migrate_s
        return stats
    from bench.dataset import generate

    stats = generate(scale=scale, charge_months=charge_months, log=log)
    # What autovacuum does on a live database soon enough: the visibility map, without which
    # PostgreSQL cannot answer a count from an index alone.
    t0 = time.perf_counter()
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/{PG_DB}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    stats["vacuum_s"] = round(time.perf_counter() - t0, 1)
    stats.update(
        scale=scale,
        charge_months=charge_months,
        migrate_s=migrate_s,
        generated_at=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    )
    DATASET_FILE.write_text(json.dumps(stats, indent=2) + "\n")
    log(f"generated in {stats['seconds']} s")
    return stats


# ------------------------------------------------------------------------------ HTTP
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn serving the bench database on a free loopback port."""

    def __init__(self, workers: int) -> None:
        self.port = _free_port()
        env = dict(
            os.environ,
            DATABASE_URL=f"{PG_SERVER}/{PG_DB}",
            WIJK_VAR_DIR=str(VAR_DIR),
            DJANGO_SETTINGS_MODULE="bench.pages_settings",
            WIJK_LOG_LEVEL="WARNING",
        )
        cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "wijk.wsgi"]
        cmd += ["-b", f"{HOST}:{self.port}", "-w", str(workers), "--timeout", "120"]
        cmd += ["--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env)

    def get(self, path: str, cookie: str) -> tuple[int, float]:
        """One GET on a new connection: (status, milliseconds)."""
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        try:
            conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "nl"})
            response = conn.getresponse()
            response.read()
            status = response.status
        finally:
            conn.close()
        return status, (time.perf_counter() - t0) * 1000

    def wait(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("gunicorn stopped; see its output above")
            try:
                if self.get("/health/", "")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer in time")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _percentile(sorted_ms: list[float], share: float) -> float:
    return sorted_ms[max(0, int(len(sorted_ms) * share + 0.5) - 1)]


def measure(
    server: Server, path: str, cookie: str, *, users: int, requests: int, budget_s: float
) -> dict[str, Any]:
    """`requests` GETs of `path` from `users` threads, each sending its next one at once."""
    for _ in range(min(8, requests)):  # warm-up: templates, connections, catalogues
        server.get(path, cookie)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    deadline = t0 + budget_s

    def user(count: int) -> list[tuple[int, float]]:
        # A slow page gets fewer requests within its time budget, not an endless run.
        out = []
        for _ in range(count):
            if time.perf_counter() > deadline:
                break
            out.append(server.get(path, cookie))
        return out

    shares = [requests // users + (1 if i < requests % users else 0) for i in range(users)]
    with ThreadPoolExecutor(max_workers=users) as pool:
        results = [r for rs in pool.map(user, shares) for r in rs]
    wall = time.perf_counter() - t0
    times = sorted(ms for _status, ms in results)
    statuses: dict[str, int] = {}
    for status, _ms in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "path": path,
        "requests": len(results),
        "statuses": statuses,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1),
        "max_ms": round(times[-1], 1),
        "per_second": round(len(results) / wall, 1),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


# ------------------------------------------------------------------------------ in-process
def single_requests(paths: dict[str, str], user: Any, repeat: int) -> dict[str, Any]:
    """Each page alone, in this process: median time of `repeat` requests, SQL queries of one,
    the slowest queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    slow = {"dashboard_savings"}  # the model for every contract: timed once, no warm-up
    for name, path in paths.items():  # a process's first requests load templates, catalogues
        if name not in slow:
            client.get(path)
    out = {}
    for name, path in paths.items():
        times, cpu = [], []
        for _ in range(0 if name in slow else repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
        queries = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))
        out[name] = {
            "status": response.status_code,
            "median_ms": round(statistics.median(times), 1),
            "min_ms": round(min(times), 1),
            # This process's CPU (Python: middleware, view, template), without PostgreSQL's:
            # far less sensitive to the machine's other load than the wall time.
            "python_cpu_ms": round(statistics.median(cpu), 1) if cpu else None,
            "queries": len(ctx.captured_queries),
            "query_ms": round(sum(float(q["time"]) for q in ctx.captured_queries) * 1000, 1),
            "slowest": [
                {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:300]}
                for q in queries[:3]
            ],
        }
    return out


def profile(path: str, user: Any, top: int = 25) -> str:
    """cProfile of one request (after a warm-up one): the top functions by cumulative time."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# ------------------------------------------------------------------------------ billing
BILLING_TARGET_S = 10.0  # issue 3: one month of 200,000 active contracts


def billing(stats: dict[str, Any]) -> dict[str, Any]:
    """The billing run of the data set's current month, timed: its charges are deleted (no
    payment is allocated to them), the kept totals made again from the charges, then
    `billing_run` runs, and once more (it adds nothing). The time spent keeping the monthly
    totals and open households (`totals.month_totals_billed`) is measured inside the run."""
    from datetime import date

    from django.db import connection

    from bench.dataset import PROGRAMME_SLUG
    from core.models import Programme
    from rentals.models import Allocation, Charge, MonthTotal, OpenHousehold
    from rentals.services import billing as billing_module
    from rentals.services import totals
    from rentals.services.billing import billing_run

    programme = Programme.objects.get(slug=PROGRAMME_SLUG)
    month = date.fromisoformat(stats["current_month"])
    month_charges = Charge.objects.filter(contract__programme=programme, month=month)
    if Allocation.objects.filter(charge__in=month_charges).exists():
        raise SystemExit(f"payments are allocated to {month:%Y-%m}: build the data set again")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM rentals_charge WHERE month = %s AND contract_id IN "
            "(SELECT id FROM rentals_contract WHERE programme_id = %s)",
            [month, programme.pk],
        )
        deleted = cursor.rowcount
    totals.month_totals_rebuild(programme=programme)  # the delete bypassed the services
    # A real run bills a month that has no charges yet; the delete left 200,000 dead rows
    # (and their index entries) that it would not meet, so they go first.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE rentals_charge")
    log(f"billing: deleted {deleted} charges of {month:%Y-%m}, totals rebuilt in "
        f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
    keeping = [0.0]
    kept_billed = totals.month_totals_billed

    def timed(**kwargs: Any) -> None:
        t = time.perf_counter()
        kept_billed(**kwargs)
        keeping[0] += time.perf_counter() - t

    billing_module.totals.month_totals_billed = timed
    try:
        load = os.getloadavg()[0]
        cpu0, t0 = time.process_time(), time.perf_counter()
        first = billing_run(programme=programme, month=month)
        first_s, first_cpu = time.perf_counter() - t0, time.process_time() - cpu0
        first_keeping, keeping[0] = keeping[0], 0.0
        t0 = time.perf_counter()
        again = billing_run(programme=programme, month=month)
        again_s = time.perf_counter() - t0
    finally:
        billing_module.totals.month_totals_billed = kept_billed
    log(f"billing run: {first.created} charges in {first_s:.2f} s (keeping the totals "
        f"{first_keeping:.2f} s); again: {again.created} in {again_s:.2f} s")  # fmt: skip
    # The kept figures of the month equal the charges.
    row = MonthTotal.objects.get(programme=programme, month=month)
    recomputed = totals.month_totals_recomputed(programme)[month]
    open_kept = OpenHousehold.objects.filter(programme=programme).count()
    open_recomputed = len(totals.open_households_recomputed(programme))
    return {
        "month": month.isoformat(),
        "deleted_before": deleted,
        "created": first.created,
        "contracts_seen": first.contracts,
        "seconds": round(first_s, 2),
        "process_cpu_seconds": round(first_cpu, 2),
        "keeping_totals_seconds": round(first_keeping, 2),
        "again_created": again.created,
        "again_seconds": round(again_s, 2),
        "target_s": BILLING_TARGET_S,
        "month_total_equals_charges": (row.charges, row.billed, row.collected)
        == (recomputed.charges, recomputed.billed, recomputed.collected),
        "open_households_kept_equal_recomputed": open_kept == open_recomputed,
        "load_average_1min": [round(load, 2), round(os.getloadavg()[0], 2)],
    }


# ------------------------------------------------------------------------------ report
def table(result: dict[str, Any]) -> str:
    floor = result["http"]["floor"]
    lines = [
        f"{result['users']} concurrent users, gunicorn -w {result['gunicorn_workers']}, "
        f"load average (1 min) at start {result['machine']['load_average_at_start'][0]:.1f}",
        f"  {'page':<24}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'p50/floor':>11}{'p95/floor':>11}",
    ]
    for name, m in result["http"].items():
        if "requests" not in m:
            lines.append(f"  {name:<24} not measured: {m}")
            continue
        bad = {s: n for s, n in m["statuses"].items() if s != "200"}
        lines.append(
            f"  {name:<24}{m['requests']:>5}{m['p50_ms']:>9.0f}{m['p95_ms']:>9.0f}"
            f"{m['max_ms']:>9.0f}{m['p50_ms'] / floor['p50_ms']:>10.1f}×"
            f"{m['p95_ms'] / floor['p95_ms']:>10.1f}×" + (f"  non-200: {bad}" if bad else "")
        )
    lines.append("  in-process, one request at a time:")
    lines.append(
        f"  {'page':<24}{'median ms':>10}{'Python CPU':>11}{'queries':>9}{'in SQL ms':>11}"
        "  slowest query"
    )
    for name, s in result["single_request"].items():
        slowest = s["slowest"][0]["ms"] if s["slowest"] else 0
        cpu = s.get("python_cpu_ms") or 0
        lines.append(
            f"  {name:<24}{s['median_ms']:>10.0f}{cpu:>11.0f}{s['queries']:>9}"
            f"{s['query_ms']:>11.0f}  {slowest:.0f} ms"
        )
    dash = result["single_request"].get("dashboard_uncached")
    prog = result["http"].get("programme_page")
    if dash and prog and "p95_ms" in prog:
        dash_ok = "ok" if dash["median_ms"] <= DASHBOARD_TARGET_MS else "NOT MET"
        prog_ok = "ok" if prog["p95_ms"] <= PROGRAMME_P95_TARGET_MS else "NOT MET"
        lines.append(
            f"  targets: uncached dashboard {dash['median_ms']:.0f} ms "
            f"(≤ {DASHBOARD_TARGET_MS:.0f}: {dash_ok}); programme page p95 "
            f"{prog['p95_ms']:.0f} ms (≤ {PROGRAMME_P95_TARGET_MS:.0f}: {prog_ok})"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000 households")
    parser.add_argument("--charge-months", type=int, default=60, help="months of charges")
    parser.add_argument("--regenerate", action="store_true", help="build the data set anew")
    parser.add_argument("--users", type=int, default=10, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--page-seconds", type=float, default=60, help="time budget per page")
    parser.add_argument("--repeat", type=int, default=5, help="in-process requests per page")
    parser.add_argument("--savings", action="store_true", help="also time the savings part")
    parser.add_argument("--profile", action="store_true", help="cProfile the uncached dashboard")
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    parser.add_argument(
        "--billing",
        action="store_true",
        help="also time the billing run (deletes and remakes the month)",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        "users": args.users,
        "gunicorn_workers": args.workers,
    }
    result["dataset"] = dataset(args.scale, args.charge_months, args.regenerate)

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from bench.dataset import COORDINATOR, PROGRAMME_SLUG
    from core.models import Programme

    result["machine"]["postgresql"] = connection.cursor().connection.info.server_version
    user = get_user_model().objects.get(username=COORDINATOR)
    programme = Programme.objects.get(slug=PROGRAMME_SLUG)
    paths = {
        "floor": "/health/",
        "dashboard_uncached": f"/rentals/collection/programmes/{programme.pk}/dashboard/",
        "programme_page": f"/programmes/{programme.pk}/",
    }
    if not args.no_http:
        client = Client()
        client.force_login(user)  # a session in the database; every client reuses its cookie
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        log(f"gunicorn with {args.workers} workers; {args.users} users per page")
        server = Server(args.workers)
        result["http"] = {}
        try:
            server.wait()
            for name, path in paths.items():
                status = server.get(path, cookie)[0]
                if status != 200:
                    result["http"][name] = {"path": path, "status": status}
                    continue
                m = measure(
                    server,
                    path,
                    cookie,
                    users=args.users,
                    requests=args.requests,
                    budget_s=args.page_seconds,
                )
                result["http"][name] = m
                log(f"  {name}: p50 {m['p50_ms']} ms, p95 {m['p95_ms']} ms, n {m['requests']}")
        finally:
            server.stop()
    singles = dict(paths)
    if args.savings:
        singles["dashboard_savings"] = paths["dashboard_uncached"] + "savings/"
    log("in-process requests")
    result["single_request"] = single_requests(singles, user, args.repeat)
    if args.profile:
        text = profile(paths["dashboard_uncached"], user)
        (BENCH / "pages-profile.txt").write_text(text)
        log(text)
    if args.billing:
        result["billing"] = billing(result["dataset"])
    result["machine"]["load_average_at_end"] = os.getloadavg()
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS_FILE.write_text(json.dumps(result, indent=2, default=str) + "\n")
    if "http" in result:
        log(table(result))
    else:
        for name, single in result["single_request"].items():
            log(
                f"  {name}: median {single['median_ms']} ms, Python CPU "
                f"{single['python_cpu_ms']} ms, {single['queries']} queries, "
                f"{single['query_ms']} ms in SQL"
            )
    if "billing" in result:
        log(f"billing: {json.dumps(result['billing'])}")
    log(f"written to {RESULTS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
