"""The test set-up itself: the session's day (WIJK_TEST_TODAY) and the tests' cache."""

import os
from datetime import date

import pytest
from django.core.cache import cache
from django.utils import timezone


@pytest.mark.skipif(not os.environ.get("WIJK_TEST_TODAY"), reason="WIJK_TEST_TODAY not set")
def test_the_session_runs_on_the_chosen_day() -> None:
    assert timezone.localdate() == date.fromisoformat(os.environ["WIJK_TEST_TODAY"])


def test_clearing_the_cache_keeps_other_runs_keys() -> None:
    # On a shared Redis (WIJK_CACHE_URL) clear() removes only this run's keys.
    cache.set("probe", 1)
    cache.clear()
    assert cache.get("probe") is None
