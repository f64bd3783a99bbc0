"""The Wijk benchmark: `make bench` (or `.venv/bin/python bench/run.py --help`).

For each database (SQLite file var/bench.sqlite3, PostgreSQL database wijk_bench) a separate
process generates the national-scale data set (bench/dataset.py), times the billing run for the
current month over all active contracts (and its no-op second run), and, on PostgreSQL, serves
the application with gunicorn and measures the key pages with 10 concurrent users. A table is
printed and the figures are written to bench/results.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SQLITE_PATH = ROOT / "var" / "bench.sqlite3"
# The bench's own var directory (settings.VAR_DIR): the file cache that gunicorn's workers
# share lives under it, so it must be writable, and it starts empty for each page run.
VAR_DIR = Path(os.environ.get("WIJK_BENCH_VAR_DIR", ROOT / "var" / "bench"))
PG_SERVER = os.environ.get("WIJK_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "wijk_bench"
HOST, PORT = "127.0.0.1", 8765
BILLING_TARGET_S = 10.0
P95_TARGET_MS = 200.0


def database_url(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{SQLITE_PATH}"
    return f"{PG_SERVER}/{PG_DB}"


def log(text: str) -> None:
    print(text, flush=True)


# ------------------------------------------------------------------------------ worker process
def recreate_database(db: str) -> None:
    """Start from an empty database; only the benchmark's own database is touched."""
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


def worker(args: argparse.Namespace) -> dict[str, Any]:
    db = args.worker
    os.environ["DATABASE_URL"] = database_url(db)
    os.environ["WIJK_VAR_DIR"] = str(VAR_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijk.settings")
    sys.path.insert(0, str(ROOT))
    dataset_file = BENCH / f".dataset-{db}.json"
    if not args.skip_generate:
        recreate_database(db)
    import django

    django.setup()
    from django.core.management import call_command

    result: dict[str, Any] = {"db": db}
    if args.skip_generate:
        if not dataset_file.exists():
            raise SystemExit(f"No data set for {db} yet: run without --skip-generate first.")
        result["dataset"] = json.loads(dataset_file.read_text())
        log(f"[{db}] reusing the data set generated earlier; applying new migrations")
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        result["migrate_on_reuse_s"] = round(time.perf_counter() - t0, 1)
    else:
        from bench.dataset import generate

        log(f"[{db}] migrating an empty database")
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrate_s = round(time.perf_counter() - t0, 1)
        log(f"[{db}] generating the data set at scale {args.scale}")
        stats = generate(
            scale=args.scale, charge_months=args.charge_months, log=lambda t: log(f"[{db}] {t}")
        )
        stats["migrate_s"] = migrate_s
        dataset_file.write_text(json.dumps(stats, indent=2))
        result["dataset"] = stats
        log(f"[{db}] generated in {stats['seconds']} s: {stats['rows']}")
    if args.generate_only:
        return result
    result["billing"] = bench_billing(db)
    if db == "postgres" and not args.skip_pages:
        result["pages"] = bench_pages(db, args)
    return result


def bench_billing(db: str) -> dict[str, Any]:
    from datetime import date

    from django.db import connection

    from bench.dataset import PROGRAMME_SLUG
    from core.models import Programme
    from core.tenancy import operator_acting
    from rentals.models import Charge, Contract
    from rentals.services import billing_run

    programme = Programme.objects.get(slug=PROGRAMME_SLUG)
    operator = operator_acting(programme.lead_organisation)
    month = date.fromisoformat(
        json.loads((BENCH / f".dataset-{db}.json").read_text())["current_month"]
    )
    active = Contract.objects.filter(programme=programme, status="active").count()

    def delete_month() -> int:
        # No payment is allocated to the current month, so its charges can go.
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM rentals_charge WHERE month = %s AND contract_id IN "
                "(SELECT id FROM rentals_contract WHERE programme_id = %s)",
                [connection.ops.adapt_datefield_value(month), programme.pk],
            )
            return cursor.rowcount

    t0 = time.perf_counter()
    deleted = delete_month()
    delete_s = time.perf_counter() - t0
    log(f"[{db}] deleted {deleted} charges of {month:%Y-%m} in {delete_s:.1f} s")
    # The delete bypassed the services: the kept totals are made again from the charges.
    from rentals.services.totals import month_totals_rebuild

    month_totals_rebuild(programme=programme)

    t0 = time.perf_counter()
    first = billing_run(acting=operator, programme=programme, month=month)
    first_s = time.perf_counter() - t0
    log(f"[{db}] billing run {month:%Y-%m}: {first.created} charges in {first_s:.2f} s")
    t0 = time.perf_counter()
    again = billing_run(acting=operator, programme=programme, month=month)
    again_s = time.perf_counter() - t0
    log(f"[{db}] billing run again: {again.created} charges in {again_s:.2f} s")
    in_month = Charge.objects.filter(contract__programme=programme, month=month).count()
    return {
        "month": month.isoformat(),
        "active_contracts": active,
        "deleted_before": deleted,
        "created": first.created,
        "contracts_seen": first.contracts,
        "seconds": round(first_s, 2),
        "again_created": again.created,
        "again_seconds": round(again_s, 2),
        "charges_in_month_after": in_month,
        "target_s": BILLING_TARGET_S,
        "load_average": os.getloadavg(),
    }


# ------------------------------------------------------------------------------ pages
def _get(path: str, cookie: str) -> tuple[int, float, int]:
    """One GET to the local gunicorn; returns (status, milliseconds, bytes)."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "nl"})
        response = conn.getresponse()
        body = response.read()
        status = response.status
    finally:
        conn.close()
    return status, (time.perf_counter() - t0) * 1000, len(body)


def _wait_for_server(proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn stopped; see its output above")
        try:
            status, _ms, _n = _get("/accounts/login/", "")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer in time")


def _measure(paths: list[str], cookie: str, users: int, budget_s: float) -> dict[str, Any]:
    for path in paths[:8]:  # warm-up: templates, connections, caches
        _get(path, cookie)
    t0 = time.perf_counter()
    deadline = t0 + budget_s

    def user(paths_of_user: list[str]) -> list[tuple[int, float, int]]:
        # Each simulated user sends its requests one after the other, and stops once the
        # page's time budget is spent (a slow page gets fewer requests, not an endless run).
        out = []
        for path in paths_of_user:
            if time.perf_counter() > deadline:
                break
            out.append(_get(path, cookie))
        return out

    with ThreadPoolExecutor(max_workers=users) as pool:
        per_user = list(pool.map(user, [paths[i::users] for i in range(users)]))
    results = [r for rs in per_user for r in rs]
    wall = time.perf_counter() - t0
    load = os.getloadavg()
    times = sorted(ms for _s, ms, _n in results)
    statuses: dict[str, int] = {}
    for status, _ms, _n in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "requests": len(results),
        "statuses": statuses,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "max_ms": round(times[-1], 1),
        "mean_ms": round(statistics.fmean(times), 1),
        "per_second": round(len(results) / wall, 1),
        "avg_kb": round(statistics.fmean(n for _s, _ms, n in results) / 1024, 1),
        "load_average": load,
    }


def _queries_per_page(paths: dict[str, str], user: Any) -> dict[str, Any]:
    """In-process: the number of SQL queries of one request and the slowest of them."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for path in paths.values():  # the process's first requests load templates and catalogues
        client.get(path)
    cache.clear()  # so that the dashboard shows its uncached cost
    out = {}
    for name, path in paths.items():
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(path)
            ms = (time.perf_counter() - t0) * 1000
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]), default=None)
        out[name] = {
            "status": response.status_code,
            "ms_single": round(ms, 1),
            "queries": len(ctx.captured_queries),
            "slowest_query_ms": round(float(slowest["time"]) * 1000, 1) if slowest else None,
            "slowest_query": slowest["sql"][:600] if slowest else None,
        }
    return out


def bench_pages(db: str, args: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.dataset import COORDINATOR, PROGRAMME_SLUG
    from core.models import Programme
    from households.models import Household

    rng = random.Random(7)
    user = get_user_model().objects.get(username=COORDINATOR)
    programme = Programme.objects.get(slug=PROGRAMME_SLUG)
    # A session made in the database, its cookie reused by every simulated user.
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    n = args.requests
    max_pk = Household.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    min_pk = Household.objects.order_by("pk").values_list("pk", flat=True).first() or 1
    sample = list(
        Household.objects.filter(pk__in=[rng.randint(min_pk, max_pk) for _ in range(60)]).values(
            "pk", "first_name", "last_name", "reference", "street", "house_number", "postcode"
        )
    )
    # What a desk worker types: a surname, a full name, a reference, a street and number.
    queries = []
    for h in sample:
        queries += [
            h["last_name"],
            f"{h['first_name']} {h['last_name']}",
            h["reference"],
            f"{h['street']} {h['house_number']}",
        ]
    from urllib.parse import urlencode

    search = [f"/households/?{urlencode({'q': queries[i % len(queries)]})}" for i in range(n)]
    households = [f"/households/{rng.randint(min_pk, max_pk)}/" for _ in range(n)]
    dashboard = f"/rentals/collection/programmes/{programme.pk}/dashboard/"
    programme_page = f"/programmes/{programme.pk}/"

    from django.core.cache import cache

    cache.clear()  # the shared file cache: no dashboard figures from an earlier run
    env = dict(
        os.environ,
        DATABASE_URL=database_url(db),
        WIJK_VAR_DIR=str(VAR_DIR),
        WIJK_LOG_LEVEL="WARNING",
    )
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    cmd = [str(gunicorn), "wijk.wsgi", "-b", f"{HOST}:{PORT}", "-w", str(args.workers)]
    cmd += ["--timeout", "120", "--log-level", "warning"]
    log(f"[{db}] starting gunicorn with {args.workers} workers on {HOST}:{PORT}")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    pages: dict[str, Any] = {}
    try:
        _wait_for_server(proc)
        status, _ms, _n = _get(dashboard, cookie)
        plan = {"household_search": search, "household_page": households}
        if status == 200:
            plan["programme_dashboard"] = [dashboard] * n
        else:
            log(f"[{db}] the dashboard answers {status}: measuring the programme page instead")
            pages["programme_dashboard"] = {"status": status, "measured": False}
        plan["programme_page"] = [programme_page] * n
        for name, paths in plan.items():
            log(f"[{db}] {name}: {len(paths)} requests from {args.users} users")
            pages[name] = _measure(paths, cookie, args.users, args.page_seconds)
            log(f"[{db}]   {pages[name]}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    singles = {
        "household_search": search[0],
        "household_search_surname": f"/households/?{urlencode({'q': sample[0]['last_name']})}",
        "household_page": households[0],
        "programme_page": programme_page,
    }
    if "requests" in pages.get("programme_dashboard", {}):
        singles["programme_dashboard"] = dashboard
    return {
        "users": args.users,
        "gunicorn_workers": args.workers,
        "target_p95_ms": P95_TARGET_MS,
        "measured": pages,
        "single_request": _queries_per_page(singles, user),
    }


# ------------------------------------------------------------------------------ main process
def table(results: dict[str, Any]) -> str:
    lines = []
    for db, r in results["databases"].items():
        d, b = r["dataset"], r["billing"]
        lines.append(
            f"{db}: data set at scale {d['scale']} generated in {d['seconds']} s "
            f"(charges: {d['rows'].get('rentals.Charge', 0):,})"
        )
        mark = "ok" if b["seconds"] <= BILLING_TARGET_S else "OVER TARGET"
        lines.append(
            f"  billing run {b['month'][:7]}: {b['created']:,} charges for "
            f"{b['active_contracts']:,} active contracts in {b['seconds']:.2f} s "
            f"(target ≤ {BILLING_TARGET_S:.0f} s: {mark}); "
            f"again: {b['again_created']} in {b['again_seconds']:.2f} s"
        )
        pages = r.get("pages")
        if pages:
            lines.append(
                f"  pages, {pages['users']} concurrent users, gunicorn -w "
                f"{pages['gunicorn_workers']}:"
            )
            lines.append(
                f"    {'page':<22}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
                f"{'req/s':>8}  target p95 ≤ {P95_TARGET_MS:.0f} ms"
            )
            for name, m in pages["measured"].items():
                if "requests" not in m:
                    lines.append(f"    {name:<22} not measured (HTTP {m['status']})")
                    continue
                ok = "ok" if m["p95_ms"] <= P95_TARGET_MS else "OVER TARGET"
                bad = {s: c for s, c in m["statuses"].items() if s != "200"}
                lines.append(
                    f"    {name:<22}{m['requests']:>9}{m['p50_ms']:>9.0f}{m['p95_ms']:>9.0f}"
                    f"{m['max_ms']:>9.0f}{m['per_second']:>8.1f}  {ok}"
                    + (f"  non-200: {bad}" if bad else "")
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000 households")
    parser.add_argument(
        "--charge-months", type=int, default=60, help="months of charge history (max 60)"
    )
    parser.add_argument("--skip-generate", action="store_true", help="reuse the data set")
    parser.add_argument("--skip-pages", action="store_true", help="no page measurements")
    parser.add_argument("--requests", type=int, default=300, help="requests per page")
    parser.add_argument("--users", type=int, default=10, help="concurrent users")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--page-seconds", type=float, default=90, help="time budget per page measurement"
    )
    parser.add_argument("--worker", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.charge_months = max(1, min(60, args.charge_months))

    if args.worker:
        result = worker(args)
        (BENCH / f".result-{args.worker}.json").write_text(json.dumps(result, indent=2))
        return

    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results_file = BENCH / "results.json"
    previous = json.loads(results_file.read_text()) if results_file.exists() else {}
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        # Figures of the other database from an earlier run stay, if taken at the same scale.
        "databases": {
            db: r
            for db, r in previous.get("databases", {}).items()
            if r.get("dataset", {}).get("scale") == args.scale
        },
    }
    started = time.perf_counter()

    def command(db: str, *extra: str) -> list[str]:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", db, *extra]
        for flag in ("scale", "charge_months", "requests", "users", "workers", "page_seconds"):
            cmd += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
        return cmd + (["--skip-pages"] if args.skip_pages else [])

    if not args.skip_generate:
        # The data sets are generated side by side (each process keeps one core busy), then
        # measured one database at a time, so that a measurement never shares the machine
        # with the other generation.
        generators = [subprocess.Popen(command(db, "--generate-only"), cwd=ROOT) for db in dbs]
        if any([proc.wait() != 0 for proc in generators]):  # a list: wait for every one
            raise SystemExit("generating a data set failed; see above")
    for db in dbs:
        subprocess.run(command(db, "--skip-generate"), check=True, cwd=ROOT)
        results["databases"][db] = json.loads((BENCH / f".result-{db}.json").read_text())
    results["machine"]["load_average_at_end"] = os.getloadavg()
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results_file.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(results))
    print(f"\nwritten to {results_file.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
