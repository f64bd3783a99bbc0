"""Shared pytest fixtures (a real headless Chromium for the end-to-end tests) and the order in
which pytest-xdist deals the tests to the workers (see docs/testing.md)."""

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from xdist.scheduler import LoadScopeScheduling

CHROMIUM = os.environ.get("WIJK_CHROMIUM", "/usr/bin/chromium")
# The flags a root user in a closed network needs (see the CI machine notes in docs/).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _travel_to_test_day() -> None:
    """WIJK_TEST_TODAY=2027-01-01 runs the whole session on that day, from 10:00 in Brussels.

    The clock ticks on from there, in every process (xdist workers run this too) and every
    thread (the live server): time-machine replaces the clock functions themselves. Chromium
    keeps the real clock, so choose days after today, or session cookies arrive expired.
    """
    day = os.environ.get("WIJK_TEST_TODAY", "").strip()
    if not day:
        return
    import time_machine

    start = datetime.combine(date.fromisoformat(day), time(10, 0), ZoneInfo("Europe/Brussels"))
    time_machine.travel(start, tick=True).start()  # for the whole session: never stopped


def _test_cache(url: str) -> dict[str, Any]:
    """The tests' cache: in memory, unless WIJK_CACHE_URL names one (CI: a local Redis).

    On a shared Redis every test process gets its own key prefix, and clearing the cache
    (wijk.testing does before each test) removes only that prefix, never the whole database,
    so parallel runs and xdist workers do not disturb each other.
    """
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    from wijk.settings import VAR_DIR, cache_from_url

    config = cache_from_url(url, VAR_DIR)
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "conftest.PrefixedRedisCache"
        config["KEY_PREFIX"] = f"wijk-test-{uuid.uuid4().hex[:12]}"
    return config


def _redis_cache_class() -> Any:
    from django.core.cache.backends.redis import RedisCache

    class PrefixedRedisCache(RedisCache):
        def clear(self) -> None:
            client = self._cache.get_client(write=True)
            keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
            if keys:
                client.delete(*keys)

    return PrefixedRedisCache


def __getattr__(name: str) -> Any:
    # Django imports the backend by its dotted path; it needs Django's settings first.
    if name == "PrefixedRedisCache":
        return _redis_cache_class()
    raise AttributeError(name)


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    _travel_to_test_day()
    # Tests make many users; the real hasher is slow on purpose, a fast one suffices here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests do not share the development server's cache under var/.
    settings.CACHES = {"default": _test_cache(os.environ.get("WIJK_CACHE_URL", "").strip())}
    # The map picker's tiles: tests reach no tile server (port 9 on loopback refuses at once),
    # so the browser tests see the map work without its background, as offline.
    settings.WIJK_MAP_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("WIJK_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; browser tests are required here")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the test code around it talks
    # to the database synchronously, which Django allows only when told so.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# --- how pytest-xdist deals the tests (docs/testing.md) -----------------------------------
# Without this, `-n 2` hands out the collection in consecutive chunks: the few long tests (the
# route matrix parts, the accessibility groups, the browser flows) land wherever they fall and
# the last one keeps one core busy while the other idles. Instead the tests go out in work
# units, heaviest first, one unit at a time to whichever worker is free (longest processing
# time first). A unit is a test class or a module of plain test functions, so a class's
# setUpTestData still runs once per worker; the tests named in ALONE are each a unit of their
# own. HEAVIEST lists units by nodeid prefix, heaviest first (measured with --durations); the
# units it does not name follow in collection order, the largest classes first.
ALONE = (
    "core/tests/test_route_matrix.py::RouteMatrixTest::test_every_route",
    "core/tests/test_accessibility.py::test_every_page",
)
HEAVIEST = (
    "core/tests/test_route_matrix.py::RouteMatrixTest::test_every_route",
    "core/tests/test_accessibility.py::test_every_page",
    "rentals/tests/test_browser.py",
    "jobs/tests/test_browser.py",
    "rentals/tests/test_demo.py",
    "sharing/tests/test_demo.py",
    "practices/tests/test_demo_packages.py",
    "core/tests/test_openapi.py::FuzzTest",
    "core/tests/test_tenant_isolation.py",
    "sharing/tests/test_browser.py",
    "sharing/tests/test_allocation.py",
    "core/tests/test_demo_data.py::DemoDataTest",
    "core/tests/test_route_matrix.py",
    "practices/tests/test_browser.py",
    "core/tests/test_accessibility.py",
    "households/tests/test_browser.py",
    "core/tests/test_openapi.py",
    "jobs/tests/test_planning.py",
    "rentals/tests/test_file_responses.py",
    "core/tests/test_eligibility.py",
    "core/tests/test_services.py",
    "core/tests/test_api.py",
    "rentals/tests/test_billing.py",
    "money/tests",
)


class HeaviestFirst(LoadScopeScheduling):
    collection: list[str] | None

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(ALONE):
            return nodeid
        return super()._split_scope(nodeid)

    def schedule(self) -> None:
        # LoadScopeScheduling.schedule, with the work queue in HEAVIEST order (a stable
        # sort: the rest keeps the collection order).
        assert self.collection_is_completed
        if self.collection is not None:
            for node in self.nodes:
                self._reschedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.collection = list(next(iter(self.registered_collections.values())))
        if not self.collection:
            return
        units: dict[str, dict[str, bool]] = {}
        for nodeid in self.collection:
            units.setdefault(self._split_scope(nodeid), {})[nodeid] = False
        for scope in sorted(units, key=self._rank):
            self.workqueue[scope] = units[scope]
        for _ in range(len(self.nodes) - len(self.workqueue)):
            unused_node, _assigned = self.assigned_work.popitem()
            unused_node.shutdown()
        for node in self.nodes:
            self._assign_work_unit(node)
        for node in self.nodes:
            self._reschedule(node)
        if not self.workqueue:
            for node in self.nodes:
                node.shutdown()

    def _rank(self, nodeid: str) -> int:
        return next(
            (i for i, prefix in enumerate(HEAVIEST) if nodeid.startswith(prefix)),
            len(HEAVIEST),
        )


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    # Only the default distribution is replaced; an explicit --dist keeps xdist's own.
    if config.getvalue("dist") != "load":
        return None
    return HeaviestFirst(config, log)
