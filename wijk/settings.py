"""The one settings module of Wijk.

Every setting that differs between installations is read from an environment variable;
docs/configuration.md lists each of them. The defaults give a working development and demo
set-up on an embedded SQLite file under var/.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("WIJK_DEBUG", False)
# Without WIJK_SECRET_KEY a development key is used; `manage.py check --deploy` flags it.
SECRET_KEY = os.environ.get("WIJK_SECRET_KEY") or "django-insecure-wijk-development-only"

ALLOWED_HOSTS = [
    h
    for h in os.environ.get("WIJK_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("WIJK_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",  # serves Swagger UI's files itself: the API docs work offline
    # Only for Leaflet's static files (the job bureau's map picker, docs/jobs.md); none of its
    # GeoDjango widgets is used, so it needs no GDAL.
    "leaflet",
    "django_tasks",
    "django_tasks_db",
    "core",
    "households",
    "rentals",
    "jobs",
    "sharing",
    "impact",
    "practices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.ActingMiddleware",
]

ROOT_URLCONF = "wijk.urls"
WSGI_APPLICATION = "wijk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.acting",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# SQLite under var/ by default (WAL mode, see core.apps); PostgreSQL through DATABASE_URL.
VAR_DIR = Path(os.environ.get("WIJK_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'wijk.sqlite3'}"),
        conn_max_age=int(os.environ.get("WIJK_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # PostgreSQL's JIT costs more than it saves on the short queries of web pages.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Long work in the background (core.runs, docs/operations.md): a run is queued in the database
# and done by `manage.py db_worker` (`make demo` starts one beside the server). Under pytest
# runs are done at once, in the test's own process and transaction, so tests stay fast and
# deterministic; core/tests/test_runs.py also goes through the database backend and a worker.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if "pytest" in sys.modules
        else "django_tasks_db.DatabaseBackend"
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Brussels"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# After `collectstatic` (production) files are served hashed and compressed by whitenoise;
# before it (development, tests, demo) whitenoise serves them straight from the source folders.
STATIC_COLLECTED = (STATIC_ROOT / "staticfiles.json").exists()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED

# A household record or an API call is small; anything larger is refused with a clear error.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("WIJK_MAX_REQUEST_BYTES", str(2 * 1024 * 1024)))

SESSION_COOKIE_SECURE = env_bool("WIJK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SESSION_COOKIE_SECURE else None
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day

EMAIL_BACKEND = os.environ.get(
    "WIJK_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("WIJK_FROM_EMAIL", "wijk@localhost")


def cache_from_url(url: str, var_dir: Path) -> dict[str, object]:
    """The default cache from WIJK_CACHE_URL (see docs/configuration.md).

    Empty: a file cache under var/, shared by the web workers of one server. `redis://…`:
    Django's own Redis backend, shared by several servers. `locmem://`: per process (tests).
    """
    scheme, _sep, rest = url.partition("://")
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(var_dir / "cache"),
        }
    if scheme in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    raise ImproperlyConfigured(
        f"WIJK_CACHE_URL must start with redis://, rediss://, unix:// or locmem://, not {url!r}"
    )


# Rate limits (core.ratelimit), dashboard figures: they hold across servers only when every
# server uses the same cache, so several servers need WIJK_CACHE_URL=redis://….
CACHES = {"default": cache_from_url(os.environ.get("WIJK_CACHE_URL", "").strip(), VAR_DIR)}

# How many reverse proxies in front of Wijk append to X-Forwarded-For (core.ratelimit.
# client_address). 0: the client is REMOTE_ADDR, and the header is ignored.
WIJK_TRUSTED_PROXIES = int(os.environ.get("WIJK_TRUSTED_PROXIES", "0"))
if WIJK_TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("WIJK_TRUSTED_PROXIES must be 0 or more")

# Lifetime of a new API token (core.tokens); `manage.py api_token --days` chooses another.
WIJK_API_TOKEN_DAYS = int(os.environ.get("WIJK_API_TOKEN_DAYS", "90"))
if not 1 <= WIJK_API_TOKEN_DAYS <= 3660:
    raise ImproperlyConfigured("WIJK_API_TOKEN_DAYS must be between 1 and 3660")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WIJK_LOG_LEVEL", "INFO")},
    # WeasyPrint reports each rendering step at INFO ("Step 5 - Creating layout").
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# The map picker of the job bureau's forms (docs/jobs.md, "Coordinates: the map picker"): a
# tile URL template with {z}/{x}/{y} (and optionally {s}); empty turns the map off and loads
# no map script.
WIJK_MAP_TILES = os.environ.get(
    "WIJK_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
).strip()
WIJK_MAP_ATTRIBUTION = os.environ.get(
    "WIJK_MAP_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
).strip()

# Practice feeds (docs/practices.md): hosts on private or loopback addresses are refused unless
# listed here ("host:port", or "*" for any); tests on loopback list their own server.
WIJK_FEED_PRIVATE_ALLOWED = [
    h.strip() for h in os.environ.get("WIJK_FEED_PRIVATE_ALLOWED", "").split(",") if h.strip()
]
WIJK_FEED_MAX_BYTES = int(os.environ.get("WIJK_FEED_MAX_BYTES", str(2 * 1024 * 1024)))
WIJK_FEED_TIMEOUT = float(os.environ.get("WIJK_FEED_TIMEOUT", "10"))
