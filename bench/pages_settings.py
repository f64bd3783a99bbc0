"""Settings of the page benchmark's server: the project's, with Django's DummyCache, so that
every dashboard request computes its figures (the "uncached dashboard" of issue 7). No other
measured page reads the cache."""

from wijk.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
