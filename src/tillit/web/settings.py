"""Django settings for tillit, read from the environment and the project directory.

Environment:

* ``TILLIT_DIR``: the project directory (``tillit init DIR`` makes one). Its ``tillit.toml`` holds
  the secret key; its SQLite file is the database unless ``DATABASE_URL`` is set.
* ``DATABASE_URL``: ``postgres://USER@HOST:PORT/NAME`` for a team server (see tillit.config).
* ``TILLIT_PRODUCTION=1``: behind TLS; secure cookies, HSTS, SSL redirect.
* ``TILLIT_ALLOWED_HOSTS``: comma-separated host names (default: loopback names).
* ``TILLIT_DEBUG=1``: Django debug pages (never in production).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from tillit import config

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = _flag("TILLIT_PRODUCTION")
DEBUG = _flag("TILLIT_DEBUG") and not PRODUCTION

_project_dir = os.environ.get(config.ENV_DIR)
PROJECT = config.load_project_dir(_project_dir) if _project_dir else None

if PROJECT is not None:
    SECRET_KEY = PROJECT.secret_key
elif os.environ.get("TILLIT_SECRET_KEY"):
    SECRET_KEY = os.environ["TILLIT_SECRET_KEY"]
elif PRODUCTION:
    raise config.ConfigError(
        "TILLIT_PRODUCTION is set but there is no project directory or TILLIT_SECRET_KEY.",
        hint="Set TILLIT_DIR to a directory made by `tillit init`.",
    )
else:
    # Only for tests and one-off commands without a project: never used to sign real sessions.
    SECRET_KEY = "insecure-development-key-" + "x" * 40

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("TILLIT_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "tillit.apps.core",
    "tillit.apps.surveys",
    "tillit.apps.analysis",
    "tillit.apps.mapping",
    "tillit.apps.corpus",
    "tillit.apps.qda",
    "tillit.apps.cases",
    "tillit.apps.observatory",
    "tillit.apps.reports",
    "tillit.apps.selfassess",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tillit.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tillit.web.urls"
WSGI_APPLICATION = "tillit.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tillit.web.context.site_context",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if PROJECT is not None and PROJECT.is_demo:
        url = ""  # the demo always lives in its own SQLite file
    if url:
        db = config.parse_database_url(url)
    elif PROJECT is not None:
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(PROJECT.sqlite_path)}
    else:
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # The one place where SQLite is tuned: WAL, busy timeout, foreign keys, immediate writes.
        db["OPTIONS"] = {
            "init_command": ";".join(config.SQLITE_PRAGMAS),
            "transaction_mode": "IMMEDIATE",
            "timeout": config.SQLITE_TIMEOUT_S,
        }
    # Keep connections open between requests: reopening a SQLite file (and checkpointing its WAL
    # on the last close) roughly doubled the cost of a questionnaire page submission.
    db["CONN_MAX_AGE"] = 60
    db["CONN_HEALTH_CHECKS"] = True
    db["TEST"] = {"NAME": os.environ.get("TILLIT_TEST_DB_NAME") or None}
    return {"default": db}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project-list"
LOGOUT_REDIRECT_URL = "home"

# Login throttling (django-axes): 5 failures for one user name from one address lock it for 15 min.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("da", _("Danish")),
    ("en", _("English")),
]
# TILLIT_LOCALE_DIR lets the catalogue test extract messages into a scratch copy.
LOCALE_PATHS = [os.environ.get("TILLIT_LOCALE_DIR") or PACKAGE_DIR / "apps" / "core" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Oslo"
LANGUAGE_COOKIE_NAME = "tillit_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = str(PROJECT.path / "static") if PROJECT else None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = str(PROJECT.media_path) if PROJECT else ""

# Security: the same headers in every mode; TLS-only flags in production (behind a TLS proxy).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

#: Content-Security-Policy sent on every response (tillit.web.middleware); no third-party origins.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# E-mail (survey invitations and reminders). Without TILLIT_SMTP_HOST mail is printed to the
# console, so a demo or a laptop never sends anything by accident. TILLIT_SMTP_TLS: "1" (default,
# STARTTLS), "ssl" (implicit TLS), "0" (plain, for a local relay).
_smtp_host = os.environ.get("TILLIT_SMTP_HOST", "").strip()
_smtp_tls = os.environ.get("TILLIT_SMTP_TLS", "1").strip().lower()
if _smtp_host:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp_host
    EMAIL_PORT = int(os.environ.get("TILLIT_SMTP_PORT", "465" if _smtp_tls == "ssl" else "587"))
    EMAIL_HOST_USER = os.environ.get("TILLIT_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("TILLIT_SMTP_PASSWORD", "")
    EMAIL_USE_SSL = _smtp_tls == "ssl"
    EMAIL_USE_TLS = _smtp_tls in {"1", "true", "yes", "on", "starttls"}
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("TILLIT_MAIL_FROM", "tillit@localhost")
