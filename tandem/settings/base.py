"""Settings for every environment, read from the environment (see `.env.example`).

Safe defaults: an SQLite file in `var/`, debug off. `tandem.settings.test` changes only what
tests need.
"""

from pathlib import Path

import environ

from tandem.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# `ENV_FILE` names another file of settings, or none with an empty value; the environment always wins.
if env_file := env.str("ENV_FILE", default=str(BASE_DIR / ".env")):
    environ.Env.read_env(env_file, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-change-me" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tandem.core",
    "tandem.people",
    "tandem.sales",
    "tandem.leads",
    "tandem.forecasting",
    "tandem.targets",
    "tandem.commitments",
    "tandem.launches",
    "tandem.coaching",
    "tandem.activities",
    "tandem.competition",
    "tandem.calls",
    "tandem.product",
    "tandem.roadmap",
    "tandem.asks",
    "tandem.triage",
    "tandem.decisions",
    "tandem.notifications",
    "tandem.audit",
    "tandem.imports",
    "tandem.webhooks",
    "tandem.planning",
    "tandem.reviews",
    "tandem.scorecards",
    "tandem.dashboards",
]

MIDDLEWARE = [
    "tandem.core.logs.RequestLogMiddleware",  # outermost: times and logs every request, tags every log line
    "tandem.audit.middleware.AuditContextMiddleware",  # the channel and request id of audit entries
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tandem.core.middleware.SessionTimeoutMiddleware",
    # Before any view reads the body (CSRF's check reads a form only once the view is chosen).
    "tandem.core.middleware.RequestBodyLimitMiddleware",
    "tandem.core.middleware.QueryTextMiddleware",
    "tandem.core.middleware.PrivateResponsesMiddleware",
    "tandem.core.middleware.UserTimeZoneMiddleware",
    "tandem.core.middleware.LoginRequiredMiddleware",
    "tandem.people.middleware.TwoFactorRequiredMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tandem.urls"
WSGI_APPLICATION = "tandem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tandem" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.core.context_processors.navigation",
                "tandem.core.context_processors.home_currency",
            ],
            # The format filters (|money, |date_short…) in every template without a {% load %}.
            "builtins": ["tandem.core.templatetags.tandem"],
        },
    },
    {
        # The list tables only (tandem/core/jinja.py); `{% jinja %}` puts them into a page.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "tandem.core.jinja.environment",
            "context_processors": ["tandem.core.context_processors.home_currency"],
        },
    },
]
FORM_RENDERER = "tandem.core.forms.FormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'tandem.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A kept connection is checked before a request reuses it: after PostgreSQL restarts, every process
# otherwise answers errors on its dead connection until that fails once (docs/benchmarks.md, faults).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Form choices iterate with server-side cursors: three round trips (DECLARE, FETCH, CLOSE) for a
    # handful of rows. Nothing of ours streams a large result through .iterator(); the seed uses COPY.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # Parameters sent apart from the query, so psycopg prepares a statement its connection has run five
    # times and PostgreSQL stops planning it again: planning was most of the database's CPU for a
    # page's short queries (docs/benchmarks.md). Turn it off behind a pooler in transaction mode
    # that cannot keep prepared statements (PgBouncer before 1.21).
    prepared = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = prepared
    # Django turns psycopg's preparing off (for poolers) unless given a threshold: binding alone
    # prepared nothing, and PostgreSQL planned every query of every request.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5 if prepared else None
    # No JIT compilation: it kicks in on a report's large scans and costs 100 to 160 ms of compiling per
    # query, more than the queries of a page take (the scorecards on the large workspace). A startup
    # parameter, which PgBouncer refuses unless told to ignore it (docs/deploy.md).
    if env.bool("DATABASE_JIT_OFF", default=True):
        DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # A writer waits this long for another's transaction before "database is locked": longer
        # than Tandem's longest write on the embedded database (a rescore of every feature).
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (`include=`) let PostgreSQL answer the reports from an index alone; SQLite builds
# the same index without the extra columns, which is all that warning says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# Tandem is written in English and nothing translates it; with translation on, every number and
# date a page shows looks up the active language (a tenth of a 50-row list page's time).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# The duplicate-suggestion engine's quantised copy of its sentence model (tandem/triage/sentences.py),
# built on first use: a directory the web and worker processes may write to.
MODEL_DIR = env.path("MODEL_DIR", default=BASE_DIR / "var" / "models")
# Front-end packages come from npm (`npm ci` in the setup command) and are served straight
# from node_modules; nothing is copied into the repository.
STATICFILES_DIRS = [
    BASE_DIR / "tandem" / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/tom-select", BASE_DIR / "node_modules" / "tom-select" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/sortablejs", BASE_DIR / "node_modules" / "sortablejs"),
]
# Production serves the files `collectstatic` gathered, compressed and fingerprinted. The demo
# (`make run`) and development serve them where npm and the apps keep them, with no collect step.
STATIC_FROM_FINDERS = env.bool("STATIC_FROM_FINDERS", default=DEBUG)
WHITENOISE_USE_FINDERS = STATIC_FROM_FINDERS
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if STATIC_FROM_FINDERS
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
# Links in emails point here (no request to take the host from in a background task).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tandem <tandem@localhost>")

TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Production hardening; `manage.py check --deploy` passes when DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# The `__Host-` prefix makes the browser refuse the cookie unless it is Secure, host-only and for
# the whole site (ASVS 3.4.4); browsers refuse such a cookie over plain HTTP, hence the condition.
SESSION_COOKIE_NAME = "__Host-tandem_session" if SESSION_COOKIE_SECURE else "tandem_session"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Everything to stderr, one line per request besides (tandem.core.logs): readable text by default,
# one JSON object a line with LOG_FORMAT=json; both carry the request id and the user's id.
LOGGING = logging_config(log_format=env.str("LOG_FORMAT", default="text"), level=env.str("LOG_LEVEL", default="INFO"))

# Uploaded export files wait here until their import is done or cancelled (docs/importing.md).
IMPORT_DIR = env.path("IMPORT_DIR", default=BASE_DIR / "var" / "imports")
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=300 * 1024 * 1024)
# A workspace export's zip is refused when its files expand to more than this (docs/exporting.md).
WORKSPACE_IMPORT_MAX_EXPANDED_BYTES = env.int("WORKSPACE_IMPORT_MAX_EXPANDED_BYTES", default=20 * 1024**3)

# The probes answer a load balancer or monitor that calls over plain HTTP (docs/deploy.md).
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ready/$"]
# `manage.py backup` writes here and keeps the newest BACKUP_KEEP backups (docs/backup.md).
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "var" / "backups")
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
# The navigation's unread and overdue counts are kept this long per person and process
# (tandem/core/navigation_counts.py); 0 reads them on every page.
NAVIGATION_COUNTS_FRESH_SECONDS = env.int("NAVIGATION_COUNTS_FRESH_SECONDS", default=20)
# /ready/ warns when the oldest background task has waited longer than this for `manage.py worker`.
TASKS_MAX_WAIT = env.int("TASKS_MAX_WAIT", default=300)
# Networks webhooks may be delivered to although they are not public (docs/webhooks.md): none by
# default, so a webhook can never reach loopback, private, link-local or metadata addresses.
WEBHOOKS_ALLOWED_NETWORKS = env.list("WEBHOOKS_ALLOWED_NETWORKS", default=[])

# Sign-in, sessions, abuse limits and the Content-Security-Policy (docs/security.md).
from tandem.settings.security import *  # noqa: E402, F403
