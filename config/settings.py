"""Settings for Arrears Casework, read from the environment (django-environ).

With no DATABASE_URL the service runs on SQLite so a newcomer can try it with no
setup; with no REDIS_URL Celery tasks run eagerly in the web process. Production
sets both (see docker-compose.yml).
"""

import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

TESTING = "pytest" in sys.modules

env = environ.Env()
if not TESTING:
    # Tests see the same settings on every machine, whatever a local .env says.
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise environ.ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (production) or set DEBUG=true "
            "to try the service locally."
        )
    SECRET_KEY = "insecure-key-for-local-trials-and-tests-only"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.admin_apps.CouncilAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "django_htmx",
    "core",
    "cases",
    "payments",
    "arrears",
    "notices",
    "court",
    "performance",
    "integrations",
    "demo",
]

MIDDLEWARE = [
    # First, so the container's own healthcheck is answered before the Host is checked.
    "core.middleware.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "core.context_processors.service",
            ],
            "builtins": ["core.templatetags.money"],
        },
    },
]
FORM_RENDERER = "core.forms.GovukFormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a seed or an eager task writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Covering indexes (INCLUDE) are PostgreSQL's; on SQLite, the try-it default, they are
# plain indexes, which is all SQLite can do.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Behind the reverse proxy (README, "Running in production"), which must overwrite any
# X-Forwarded-Proto a client sends; set false if the app can be reached any other way.
if env.bool("TRUST_X_FORWARDED_PROTO", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Off by default: the proxy redirects plain HTTP, and the benches and tests speak it.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# Sent only on HTTPS responses, so local plain-HTTP use is untouched.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# GOV.UK Frontend, MoJ Frontend and htmx all run under a nonce-based policy.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# Celery: Redis when REDIS_URL is set; otherwise tasks run in-process, eagerly.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_BEAT_SCHEDULE: dict = {
    "nightly-run": {
        "task": "arrears.tasks.start_nightly_run",
        "schedule": crontab(hour=2, minute=0),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

# The council, as it appears in letters, notices and the service header.
COUNCIL_NAME = env.str("COUNCIL_NAME", default="Borough of Eastbrook Council")
COUNCIL_ADDRESS = env.list(
    "COUNCIL_ADDRESS",
    default=["Income Team", "Civic Centre", "Market Street", "Eastbrook", "EB1 1AA"],
)
COUNCIL_PHONE = env.str("COUNCIL_PHONE", default="01632 960000")
COUNCIL_EMAIL = env.str("COUNCIL_EMAIL", default="rents@eastbrook.example.gov.uk")
SERVICE_NAME = "Arrears casework"

# Rent-free weeks in each rent year: 0, 2 (a 50-week year) or 4 (a 48-week year).
RENT_FREE_WEEKS_PER_YEAR = env.int("RENT_FREE_WEEKS_PER_YEAR", default=4)
# Simple interest a money claim for a debt other than rent asks for, in percent a year
# (County Courts Act 1984 s69 allows up to the judgment rate, 8%); 0 claims none.
MONEY_CLAIM_INTEREST_PERCENT = env.float("MONEY_CLAIM_INTEREST_PERCENT", default=0.0)

# Direct debits (payments/direct_debits.py): the council's Bacs collection account, and
# the service user's name on every Standard 18 record (18 characters at most).
DIRECT_DEBIT_ORIGINATOR_SORT_CODE = env.str("DIRECT_DEBIT_ORIGINATOR_SORT_CODE", default="000000")
DIRECT_DEBIT_ORIGINATOR_ACCOUNT = env.str("DIRECT_DEBIT_ORIGINATOR_ACCOUNT", default="00000000")
DIRECT_DEBIT_SERVICE_USER_NAME = env.str(
    "DIRECT_DEBIT_SERVICE_USER_NAME", default="EASTBROOK COUNCIL"
)
if not (
    len(DIRECT_DEBIT_ORIGINATOR_SORT_CODE) == 6 and DIRECT_DEBIT_ORIGINATOR_SORT_CODE.isdigit()
):
    raise environ.ImproperlyConfigured("DIRECT_DEBIT_ORIGINATOR_SORT_CODE must be 6 digits.")
if not (len(DIRECT_DEBIT_ORIGINATOR_ACCOUNT) == 8 and DIRECT_DEBIT_ORIGINATOR_ACCOUNT.isdigit()):
    raise environ.ImproperlyConfigured("DIRECT_DEBIT_ORIGINATOR_ACCOUNT must be 8 digits.")
if not 0 < len(DIRECT_DEBIT_SERVICE_USER_NAME) <= 18:
    raise environ.ImproperlyConfigured("DIRECT_DEBIT_SERVICE_USER_NAME must be 1-18 characters.")

if TESTING:
    # Tests create many users; the production hasher is deliberately slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# ---------------------------------------------------------------------------
# Letters, notices and documents (the notices app)
# ---------------------------------------------------------------------------
# Rendered PDFs live outside the static and media folders: they are only ever served
# through a permission-checked view.
DOCUMENTS_ROOT = env.path("DOCUMENTS_ROOT", default=BASE_DIR / "documents")
# The notice thresholds (weeks of arrears, the assessment's age, the date the Renters'
# Rights Act reaches social housing assured tenancies) are the escalation policy's
# (arrears/policy.py), which managers read and administrators change.
# Letters per Celery task when the nightly run's letters are rendered.
NOTICES_RENDER_CHUNK_SIZE = env.int("NOTICES_RENDER_CHUNK_SIZE", default=20)
# How long a dispatched letter request is left to the task that took it on before a
# re-run may dispatch it again (a lost task); see notices.documents.letter_requests_claim.
NOTICES_DISPATCH_LEASE_MINUTES = env.int("NOTICES_DISPATCH_LEASE_MINUTES", default=30)
# GOV.UK Notify: texts, emails and letters to tenants. With no key, a message is kept
# as not sent and the officer is told. The callback token is the bearer token Notify is
# given for delivery receipts (https://docs.notifications.service.gov.uk/callbacks).
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_CALLBACK_TOKEN = env.str("NOTIFY_CALLBACK_TOKEN", default="")
# The nightly letters posted by Notify's letter service instead of the print pack.
NOTIFY_LETTERS = env.bool("NOTIFY_LETTERS", default=False)
# The housing management system's nightly export: a folder of file sets (one folder per
# night, or the files themselves), applied at 01:15 before the nightly run reads the
# accounts (integrations/README.md). Blank: no feed.
HMS_IMPORT_DIR = env.str("HMS_IMPORT_DIR", default="")
CELERY_BEAT_SCHEDULE["hms-import"] = {
    "task": "integrations.tasks.hms_import_nightly",
    "schedule": crontab(hour=1, minute=15),
}
CELERY_BEAT_SCHEDULE["notices-message-statuses"] = {
    "task": "notices.tasks.refresh_message_statuses",
    "schedule": crontab(minute="*/10"),
}
# Notices whose twelve months have run out are marked expired before the nightly run.
CELERY_BEAT_SCHEDULE["notices-expire"] = {
    "task": "notices.tasks.expire_notices",
    "schedule": crontab(hour=1, minute=45),
}
# Documents and letters whose rendering task never arrived (the broker was down when
# they were asked for, or a worker died holding them) are sent again.
CELERY_BEAT_SCHEDULE["notices-stranded"] = {
    "task": "notices.tasks.render_stranded",
    "schedule": crontab(minute="*/15"),
}
