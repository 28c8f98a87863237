"""Settings for Arrears Casework, read from the environment (django-environ).

With no DATABASE_URL the service runs on SQLite so a newcomer can try it with no
setup; with no REDIS_URL Celery tasks run eagerly in the web process. Production
sets both (see docker-compose.yml).
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.utils.csp import CSP

from config.keys import LOCAL_ONLY_FIELD_KEY

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
# Bank details are encrypted at rest under these Fernet keys (core/encryption.py), newest
# first: the newest encrypts, any decrypts. Rotate by putting a new key first, running
# `manage.py rotate_field_keys`, then dropping the old one. Losing every key loses the
# bank details, so they are kept apart from database backups.
FIELD_ENCRYPTION_KEYS = [
    k.strip() for k in env.list("FIELD_ENCRYPTION_KEYS", default=[]) if k.strip()
]
if not FIELD_ENCRYPTION_KEYS:
    if not (DEBUG or TESTING):
        raise environ.ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set. Set it in the environment (production) to one "
            "or more Fernet keys, newest first, comma-separated (make one with `python -c "
            '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`), '
            "or set DEBUG=true to try the service locally."
        )
    # Fixed, so the demo's and a trial's bank details still read after a restart; it is
    # in the source, so it protects nothing.
    FIELD_ENCRYPTION_KEYS = [LOCAL_ONLY_FIELD_KEY]
for _position, _key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
    try:
        Fernet(_key)
    except ValueError:
        raise environ.ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: key {_position} of {len(FIELD_ENCRYPTION_KEYS)} is not a "
            "Fernet key (32 url-safe base64-encoded bytes, as Fernet.generate_key() makes)."
        ) from None
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
    "rest_framework",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "core",
    "cases",
    "payments",
    "arrears",
    "notices",
    "court",
    "performance",
    "integrations",
    "integrations.api",
    "integrations.revenues",
    "privacy",
    "accounts",
    "demo",
]

MIDDLEWARE = [
    # First, so the container's own healthcheck is answered before the Host is checked.
    "core.middleware.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # request.user.is_verified(): whether this session passed a second factor.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records who read which case (privacy/access.py); written after the response.
    "privacy.access.AccessLogMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
# Idle sessions end: activity pushes the expiry on by SESSION_COOKIE_AGE, so a session
# left alone that long is over; the expiry is kept server-side, in the session row, as
# well as on the cookie. Like SESSION_SAVE_EVERY_REQUEST, but the session is saved at
# most once a minute rather than on every request (accounts.middleware).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# Behind the reverse proxy (README, "Running in production"), which must overwrite any
# X-Forwarded-Proto a client sends; set false if the app can be reached any other way.
TRUST_X_FORWARDED_PROTO = env.bool("TRUST_X_FORWARDED_PROTO", default=True)
if TRUST_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# On in production (the proxy's HTTPS requests carry X-Forwarded-Proto, so they are not
# redirected); off when trying it locally and under tests, which speak plain HTTP.
# /healthz is answered before this applies.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
# Sent only on HTTPS responses, so local plain-HTTP use is untouched.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Only takes effect if someone submits the council's domain to the browsers' list.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
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
# The workers' scheduling priority (nice, 0-19): batch work gives way to the officers'
# pages on the same machine, and loses nothing when it has the machine to itself, as a
# niced process still gets every idle cycle (config/celery.py). 0 leaves it as started.
WORKER_NICE = env.int("WORKER_NICE", default=10)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
# When the nightly run starts, Europe/London. The catch-up below starts it later if beat's
# message was lost (the broker down at 02:00) or the run stalled (every worker died).
NIGHTLY_RUN_HOUR = 2
CELERY_BEAT_SCHEDULE: dict = {
    "nightly-run": {
        "task": "arrears.tasks.start_nightly_run",
        "schedule": crontab(hour=NIGHTLY_RUN_HOUR, minute=0),
    },
    "nightly-run-catch-up": {
        "task": "arrears.tasks.catch_up_nightly_run",
        "schedule": crontab(minute="7,22,37,52"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # Its start-up banner on every command; lockouts are still logged (WARNING).
        "axes.apps": {"level": "WARNING"},
    },
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

# ---------------------------------------------------------------------------
# The write-back to the housing system and the API for other council systems
# (integrations/api; see its README)
# ---------------------------------------------------------------------------
# Where the nightly action-diary export for the housing management system is written.
HMS_WRITEBACK_DIR = env.path("HMS_WRITEBACK_DIR", default=BASE_DIR / "exports" / "hms")
# After the nightly run (02:00) has written the day's stages and next actions.
CELERY_BEAT_SCHEDULE["integrations-hms-writeback"] = {
    "task": "integrations.api.tasks.hms_writeback_nightly",
    "schedule": crontab(hour=5, minute=30),
}
# Council Tax and HB overpayment files from the revenues system (integrations/revenues).
REVENUES_IMPORT_DIR = env.path("REVENUES_IMPORT_DIR", default=BASE_DIR / "imports" / "revenues")
CELERY_BEAT_SCHEDULE["integrations-revenues-import"] = {
    "task": "integrations.revenues.tasks.revenues_import_folder",
    "schedule": crontab(hour=1, minute=30),
}
# Requests a minute each council system may make; throttled per system, not per address.
API_RATE_PER_MINUTE = env.int("API_RATE_PER_MINUTE", default=300)
# The counts are shared by every web process through Redis when there is one; tests and a
# trial without Redis count in each process's memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api_throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL and not TESTING
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    ),
    # How far a payment file's import has got (payments/imports/uploads.py), written by the worker
    # while the import's own transaction is still open and read by the page polling it.
    # A cache, not the upload's row: a write through the import's connection would be
    # invisible until it commits, and a second connection would wait on SQLite's write
    # lock. Without Redis the task runs in the web process, so its memory is enough.
    "progress": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "progress",
        }
        if REDIS_URL and not TESTING
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "progress"}
    ),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["integrations.api.authentication.SystemTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["integrations.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.api.throttling.SystemRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"system": f"{API_RATE_PER_MINUTE}/minute"},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_SCHEMA_CLASS": "rest_framework.schemas.openapi.AutoSchema",
}

# ---------------------------------------------------------------------------
# Data protection (the privacy app)
# ---------------------------------------------------------------------------
# How long the record of who read which case is kept (a nightly task deletes older rows).
PRIVACY_ACCESS_LOG_RETENTION_DAYS = env.int("PRIVACY_ACCESS_LOG_RETENTION_DAYS", default=730)
# Personal data of cases closed more than this many years ago is anonymised each night
# (six years: the Limitation Act 1980 s5 period for a debt, after which it is not needed).
PRIVACY_RETENTION_YEARS = env.int("PRIVACY_RETENTION_YEARS", default=6)
if PRIVACY_ACCESS_LOG_RETENTION_DAYS < 1:
    raise environ.ImproperlyConfigured("PRIVACY_ACCESS_LOG_RETENTION_DAYS must be at least 1.")
if PRIVACY_RETENTION_YEARS < 1:
    raise environ.ImproperlyConfigured("PRIVACY_RETENTION_YEARS must be at least 1.")
CELERY_BEAT_SCHEDULE["privacy-access-log-prune"] = {
    "task": "privacy.tasks.prune_access_records",
    "schedule": crontab(hour=3, minute=30),
}
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "privacy.tasks.apply_retention",
    "schedule": crontab(hour=4, minute=0),
}

# ---------------------------------------------------------------------------
# Sign-in (the accounts app; accounts/README.md)
# ---------------------------------------------------------------------------
# Single sign-on with the council's identity provider over OpenID Connect
# (mozilla-django-oidc): on when a client id and the provider's discovery document (or,
# for Microsoft Entra ID, the tenant id) are set; off otherwise, and local accounts are
# the only way in.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_ENTRA_TENANT_ID = env.str("OIDC_ENTRA_TENANT_ID", default="")
OIDC_OP_DISCOVERY_URL = env.str(
    "OIDC_OP_DISCOVERY_URL",
    default=f"https://login.microsoftonline.com/{OIDC_ENTRA_TENANT_ID}/v2.0/.well-known/openid-configuration"
    if OIDC_ENTRA_TENANT_ID
    else "",
)
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and OIDC_OP_DISCOVERY_URL)
if OIDC_ENABLED and not OIDC_RP_CLIENT_SECRET:
    raise environ.ImproperlyConfigured(
        "OIDC_RP_CLIENT_ID is set but OIDC_RP_CLIENT_SECRET is not: single sign-on needs both."
    )
# The claim listing the user's groups (Entra ID: "groups", object ids unless the app
# registration emits names; "roles" for app roles). Each is mapped to a role in the admin.
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
# What the sign-in button says: "Sign in with <this>".
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your council account")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
OIDC_CALLBACK_CLASS = "accounts.views.SignOnCallbackView"
OIDC_AUTHENTICATE_CLASS = "accounts.views.SignOnStartView"
LOGIN_REDIRECT_URL_FAILURE = "/login/?sign_on=failed"

# The axes backend first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    *(["accounts.oidc.CouncilSignOnBackend"] if OIDC_ENABLED else []),
]

# Failed sign-ins (django-axes): after AXES_FAILURE_LIMIT failures a username, and
# separately an address, is locked out for the cool-off; administrators release a
# lockout early in the admin (Access attempts). A council whose staff share one
# outgoing address may drop "ip_address" from AXES_LOCKOUT_PARAMETERS.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = env.list("AXES_LOCKOUT_PARAMETERS", default=["username", "ip_address"])
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"
# Behind the proxy every request comes from the proxy's address; it must overwrite
# X-Forwarded-For with the client's (nginx: proxy_set_header X-Forwarded-For $remote_addr).
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=TRUST_X_FORWARDED_PROTO)

# Second factor (django-otp): local accounts of these roles must enrol an authenticator
# app and give its code after their password, before any page (accounts/rules.py).
OTP_TOTP_ISSUER = SERVICE_NAME
