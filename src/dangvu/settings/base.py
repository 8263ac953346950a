"""Everything Dangvu needs; production differs only through the environment (env.py)."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from dangvu.settings.env import data_dir, env_bool, env_list, env_str, private_file, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("DANGVU_DEBUG", False)
# The public portal's pages cached whole in each server process (news.public, decision 0024).
DANGVU_PORTAL_CACHE = env_bool("DANGVU_PORTAL_CACHE", True)
ALLOWED_HOSTS = env_list("DANGVU_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DANGVU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "csp",
    "django_tasks_db",
    "dangvu.core",
    "dangvu.accounts",
    "dangvu.audit",
    "dangvu.organisations",
    "dangvu.members",
    "dangvu.stats",
    "dangvu.reports",
    "dangvu.admission",
    "dangvu.meetings",
    "dangvu.training",
    "dangvu.documents",
    "dangvu.news",
    "dangvu.interchange",
    "dangvu.audittrail",
    "dangvu.dataset",
    "dangvu.api",
    "dangvu.home",
]

MIDDLEWARE = [
    # Outermost: every answer compressed for a slow link (pages, fragments, static files served
    # before they were collected); Django pads each compressed body against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that reads the database: 503, not 500, while it is unavailable.
    "dangvu.core.unavailable.DatabaseUnavailableMiddleware",
    # After WhiteNoise (static files keep their caching), before everything that can answer
    # early (lockout, CSRF failure, sign-in redirect): no personal page is kept in a cache.
    "dangvu.core.middleware.NoStoreMiddleware",
    "dangvu.core.middleware.VaryOnHtmxMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dangvu.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the second factor given in this session (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Idle sessions end; "Your sessions" knows when each browser was last seen.
    "dangvu.accounts.sessions.SessionActivityMiddleware",
    "dangvu.core.auth.DangvuLoginRequiredMiddleware",
    # Every role but `member` reaches nothing before the second factor.
    "dangvu.accounts.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last of the auth-related middleware, as django-axes asks.
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dangvu.core.middleware.SecurityHeadersMiddleware",
    "dangvu.core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "dangvu.urls"
WSGI_APPLICATION = "dangvu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangvu.accounts.context_processors.abilities",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Pooling (Django 5.x); a generic plan cannot turn LIKE into an index range
        # (PERFORMANCE.md trap 2), so every statement is planned for its parameters.
        DATABASES["default"].setdefault("OPTIONS", {})
        # With the pool: Django has the pool check each connection as it leaves it (psycopg's
        # ConnectionPool.check_connection).
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        DATABASES["default"]["OPTIONS"].update(
            {
                # While PostgreSQL is down or restarting (core.unavailable answers 503): a
                # request waits 3 s for a connection, not 30; a connection is checked as it
                # leaves the pool (above: one from before a restart is replaced); a series of
                # reconnection attempts gives up after 5 s and the next request starts a new
                # one (not backing off for minutes): the pages are back seconds after it.
                "pool": {
                    "min_size": 1,
                    "max_size": int(env_str("DANGVU_DB_POOL_SIZE", "8")),
                    "timeout": 3,
                    "reconnect_timeout": 5,
                }
                if env_bool("DANGVU_DB_POOL", True)
                else False,
                "options": "-c plan_cache_mode=force_custom_plan",
            }
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "dangvu.sqlite3",
            # A worker keeps its connection (and SQLite's page cache with it) between
            # requests: opening one per request cost each request a cold cache.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------------------
# Checked on every path that sets a password (accounts.services: user_create,
# user_set_password; the `dangvu user` command goes through them).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "dangvu.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in lockout for 15 minutes: after 5 failed attempts for a user name from one address,
# and after 20 from one address whatever the user names (password spraying); the second
# limit is accounts.signin.AxesHandler's. A success clears its own user name's count only.
AXES_FAILURE_LIMIT = int(env_str("DANGVU_LOGIN_FAILURE_LIMIT", "5"))
DANGVU_LOGIN_ADDRESS_FAILURE_LIMIT = int(env_str("DANGVU_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "dangvu.accounts.signin.AxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

# Behind a reverse proxy (README, Deployment): the proxy tells whether the request came over
# HTTPS and who the client is (for the sign-in lockout, which counts per address). axes 8 reads
# the address with django-ipware only when that is installed (it is not; its AXES_IPWARE_*
# settings did nothing): accounts.signin.client_ip reads the proxy's header itself, and only
# when DANGVU_BEHIND_PROXY is on, so that a client cannot pick its address by sending one.
DANGVU_BEHIND_PROXY = env_bool("DANGVU_BEHIND_PROXY", False)
AXES_CLIENT_IP_CALLABLE = "dangvu.accounts.signin.client_ip"
if DANGVU_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The second factor (accounts.twofactor): the name an authenticator app shows; each wrong code
# doubles the wait before the next (django-otp's throttling).
OTP_TOTP_ISSUER = env_str("DANGVU_OTP_ISSUER", "Dangvu")
# A session ends after this many minutes without a request, and in any case after
# SESSION_COOKIE_AGE (a working day): a shared office computer left signed in.
DANGVU_SESSION_IDLE_MINUTES = int(env_str("DANGVU_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = int(env_str("DANGVU_SESSION_HOURS", "12")) * 3600
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "signed_out"
# A password-reset link works once, for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# --- e-mail (password reset): the console in development, SMTP when a host is set ----------
EMAIL_HOST = env_str("DANGVU_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env_str("DANGVU_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env_str("DANGVU_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env_str("DANGVU_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("DANGVU_EMAIL_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DANGVU_EMAIL_FROM", "dangvu@localhost")

# --- uploaded files (a meeting's resolution and minutes): kept in the data directory, served
# only through the access gate (never as static files); size checked by core.uploads.
MEDIA_ROOT = DATA_DIR / "files"
DANGVU_UPLOAD_MAX_BYTES = int(env_str("DANGVU_UPLOAD_MAX_MB", "10")) * 1024 * 1024

# --- member development: the early warnings' thresholds (admission.selectors) -----------
DANGVU_WARN_AVERAGE_AGE = int(env_str("DANGVU_WARN_AVERAGE_AGE", "55"))
DANGVU_WARN_NO_ADMISSION_YEARS = int(env_str("DANGVU_WARN_NO_ADMISSION_YEARS", "3"))

# --- language, time -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates as 13/09/2021 and numbers as 1.807 and 66,12 in every message and page (dangvu.formats).
FORMAT_MODULE_PATH = ["dangvu.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- static files (served by the application itself: no CDN) ---------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "dangvu.core.staticfiles.Storage"},
}
MEDIA_ROOT = DATA_DIR / "uploads"

# --- security -------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("DANGVU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Served over HTTPS: browsers are told to come back over HTTPS only, for a year (sent on
# HTTPS responses only). includeSubDomains covers the names below Dangvu's own host (not its
# siblings of the same domain); preload lets a committee submit a domain that serves nothing
# but Dangvu to the browsers' list (Django's deployment checks ask for both).
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE
SECURE_HSTS_PRELOAD = SESSION_COOKIE_SECURE
# http:// is redirected to https:// only where the scheme is known: behind the proxy that
# terminates HTTPS and says so (X-Forwarded-Proto); without it every request looks like http
# and would be redirected forever.
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE and DANGVU_BEHIND_PROXY
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "dangvu.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The Content-Security-Policy (django-csp; core.middleware adds the inline stylesheet's hash):
# every script, style, image and font comes from Dangvu itself; no inline script, no frame.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# The SQLite file holds every member's record: readable by its owner only (settings.env).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    private_file(Path(DATABASES["default"]["NAME"]))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DANGVU_LOG_LEVEL", "WARNING")},
}

DANGVU_SERVE_WORKERS = int(env_str("DANGVU_WORKERS", "0")) or (2 * (os.cpu_count() or 1) + 1)

# Background work (imports of large files): queued in the database, run by `dangvu worker`
# (which `dangvu serve` starts beside the web server). The tests run tasks at once.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The largest file of member records an import accepts (a province's 150,000 rows as CSV).
DANGVU_IMPORT_MAX_BYTES = int(env_str("DANGVU_IMPORT_MAX_MB", "60")) * 1024 * 1024
