"""Shared pytest fixtures: a real headless Chromium for the end-to-end tests."""

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

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
