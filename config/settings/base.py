"""Settings shared by every environment. Secrets are never given a default here."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    # Its TOTP device is not used (accounts.SealedTOTPDevice seals the secret and runs its methods); the
    # plugin stays installed so that its code is reused rather than copied, its table left empty.
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "csp",
    "vault",
    "audit",
    "accounts",
    "access",
    "children",
    "oversight",
    "lifecycle",
    "coordination",
    "disclosure",
    "corrections",
    "linkage",
    "feeds",
    "reports",
    "team",
    "training",
    "administration",
    "insight",
]

# The header layers (CSP, framing, no-store) wrap everything below them, so a page answered by a
# middleware before any view runs (the account guard's refusal, a bad Host) carries them too.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.body_limit.FormBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.VerifiedDeviceMiddleware",
    "accounts.middleware.AccountGuardMiddleware",
    "access.http.RefusalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
                "access.context_processors.navigation",
            ],
        },
    },
]


def database_from_env(default_sqlite: Path) -> dict[str, Any]:
    """PostgreSQL when DATABASE_URL is set; otherwise the embedded SQLite file."""
    url = f"sqlite:///{default_sqlite}"
    config: dict[str, Any] = dict(dj_database_url.config(default=url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    return config


# Read replicas (config/routers.py): aliases in DATABASES that serve search reads. None by default.
DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
DATABASE_REPLICAS: list[str] = []

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.AccountBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Local and test servers serve straight from static/; production runs collectstatic.
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_AGE = 15 * 60
# Database sessions, renewed in one UPDATE (no BEGIN/COMMIT around it): accounts/sessions.py.
SESSION_ENGINE = "accounts.sessions"
# Not on every request: AccountGuardMiddleware renews the idle expiry at most once a minute
# (SESSION_RENEW_SECONDS), so a busy practitioner costs one session write a minute, not one a page.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# The largest feed batch the API's schema allows (5,000 rows, every field at 100 characters) is about
# 5.8 MB of JSON; Django's default 2.5 MB would refuse it with a bare 400 before the API could answer
# (feeds/tests/test_api.py::test_the_largest_batch_the_schema_allows_fits_the_request_size_limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
# Every other page's body, refused unread above this (`config.body_limit`): no form needs more.
FORM_BODY_LIMIT = 256 * 1024
X_FRAME_OPTIONS = "DENY"
# Seconds a notice email may wait on the mail server (Django waits for ever by default): notices are
# sent from requests and their commit hooks, so a silent server must not stall them (notices.email).
EMAIL_TIMEOUT = 10
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

SERVICE_NAME = "ContactPoint"
SERVICE_BASE_URL = os.environ.get("SERVICE_BASE_URL", "http://127.0.0.1:8000")

# Sessions: 15 minutes idle (SESSION_COOKIE_AGE, renewed at most every SESSION_RENEW_SECONDS of
# activity, so a session ends 14 to 15 idle minutes after its last request, never later), 10 hours absolute, step-up
# re-authentication for sensitive actions if the last proof is older than 15 minutes.
SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
REAUTH_VALID_SECONDS = 15 * 60

OTP_TOTP_ISSUER = "ContactPoint"

# Passkeys (WebAuthn) are a second factor beside TOTP, never a way in on their own: the password
# always comes first. The relying party ID must be the host users browse to (not an IP address), so
# local development uses http://localhost:8000; production.py requires all three from the environment.
OTP_WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID", "localhost")
OTP_WEBAUTHN_RP_NAME = os.environ.get("WEBAUTHN_RP_NAME", "ContactPoint")
OTP_WEBAUTHN_ALLOWED_ORIGINS = os.environ.get("WEBAUTHN_ALLOWED_ORIGINS", "http://localhost:8000").split(",")
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "accounts.passkeys.PasskeyHelper"

# Rate limits and lockouts must be shared by every app server: Redis when REDIS_URL is set.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Proxies in front of the app that append to X-Forwarded-For (accounts/network.py). 0: none, the
# header is ignored. production.py requires it from the environment.
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))

# Content Security Policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Feeds API: requests each feed source may make per calendar minute (feeds/ratelimit.py); above it 429 with
# Retry-After. A national source sends batches of up to 5,000 rows, so this bounds rows, not only requests.
FEED_API_REQUESTS_PER_MINUTE = int(os.environ.get("FEED_API_REQUESTS_PER_MINUTE", "60"))
# Batch requests one feed source may have running at once (each may ingest for up to 20 s on a worker).
FEED_API_REQUESTS_IN_FLIGHT = int(os.environ.get("FEED_API_REQUESTS_IN_FLIGHT", "2"))
# Requests from one client address presenting a token that is not live (guessed, malformed, revoked, expired)
# in a 5-minute window (feeds/ratelimit.py); beyond it the address gets 429 before any token is looked up.
FEED_API_TOKEN_FAILURES_PER_ADDRESS = int(os.environ.get("FEED_API_TOKEN_FAILURES_PER_ADDRESS", "10"))
# Seconds gunicorn lets a request run before it kills the worker: read from the environment exactly as
# config/gunicorn.py reads it (same variable, same default; that file loads no Django), so code that must
# outlast any request (the feeds API's in-flight slots and batch holds, feeds/ratelimit.py) knows it.
GUNICORN_TIMEOUT = int(os.environ.get("GUNICORN_TIMEOUT", "30"))

# Search rules (domain.md): a small capped result list, never browsing.
SEARCH_RESULT_CAP = 10
# How long a stated purpose lets a practitioner reopen the same record without asking again.
VIEW_PURPOSE_TTL_SECONDS = 10 * 60
# How long a search's results can be shown again (Back, "Back to search") without searching again.
SEARCH_RESULTS_TTL_SECONDS = 10 * 60

# Mandatory training (training app): questions drawn at random from the bank per attempt, and how many
# must be answered correctly to pass. Passing renews `training_completed_on` (valid to the pass's anniversary:
# accounts.models.training_lapses_on).
TRAINING_QUESTIONS_PER_ATTEMPT = 8
TRAINING_PASS_MARK = 7
# Attempts (passed or failed) allowed per person in any rolling 24 hours; a further one is refused and audited
# (account:training:refused), so the assessment cannot be passed by guessing (training.services).
TRAINING_ATTEMPTS_PER_DAY = 3
# Misuse signals (oversight.misuse, docs/SECURITY.md): per user, in a rolling hour. More than the
# first number alerts the user's LA team; more than the first times the factor also suspends.
MISUSE_VIEWS_PER_HOUR = 30
MISUSE_REFINED_SEARCHES_PER_HOUR = 10
# Precise searching is browsing too: searches, and distinct children returned, per user per hour.
MISUSE_SEARCHES_PER_HOUR = 60
MISUSE_CHILDREN_FOUND_PER_HOUR = 30
MISUSE_SUSPEND_FACTOR = 2
# Sustained browsing: more than this many times an hourly number (views, searches, children found) in a
# rolling 24 hours alerts the LA team (never suspends): 29 records an hour, all day, passed every hourly rule.
MISUSE_DAY_FACTOR = 4
# Record views with no search by the viewer returning the child and no involvement of theirs.
MISUSE_UNEXPLAINED_VIEWS_PER_HOUR = 5
# Distinct children of other LAs than the viewer's own (their organisation's LA) viewed.
MISUSE_VIEWS_OUTSIDE_LA_PER_HOUR = 10
# Searches and record views outside working hours (local time, Monday is 0).
MISUSE_OUT_OF_HOURS_ACTIONS_PER_HOUR = 20
MISUSE_WORKING_HOURS_START = "07:00"
MISUSE_WORKING_HOURS_END = "19:00"
MISUSE_WORKING_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4)
MISUSE_WORKING_HOURS_TIME_ZONE = "Europe/London"

# Disclosure exports (disclosure app, docs/SECURITY.md "No bulk export"): the one route for a file naming
# children. A small list, never a bulk download; usable for a short time, and only so many times.
DISCLOSURE_EXPORT_MAX_CHILDREN = 25
DISCLOSURE_EXPORT_VALID_FOR = timedelta(days=7)
DISCLOSURE_EXPORT_MAX_DOWNLOADS = 1

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "vault.logging.PersonalDataFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["no_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Django's defaults would also send errors to mail_admins, unfiltered, before the root
        # handler's filter runs: every Django record goes through the filtered handler only.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # At DEBUG it logs whole template contexts (decrypted records) with each failed lookup.
        "django.template": {"level": "INFO"},
        # WeasyPrint (subject access PDF) logs each rendering step at INFO: warnings only.
        "weasyprint": {"level": "WARNING"},
    },
}

# Tamper-evident audit (audit/checkpoints.py): signed tree heads are exported here, outside the database.
# One directory per audit log: the signer extends the latest head it finds here (a second database
# signing into the same directory stops, as its heads are not this log's).
AUDIT_HEAD_EXPORT_DIR = Path(os.environ.get("AUDIT_HEAD_EXPORT_DIR", str(VAR_DIR / "audit-heads")))
# The Ed25519 key that signs heads (audit/signing.py): set per environment, never defaulted to a file.
AUDIT_SIGNING_KEY_FILE: Path | None = None
# Complete subtrees of 2**level leaves and above are cached, so checkpoints and proofs are incremental.
AUDIT_SUBTREE_CACHE_LEVEL = 8
# Events younger than this wait for the next checkpoint, so a slow transaction cannot land mid-tree.
AUDIT_CHECKPOINT_GRACE_SECONDS = 60
# Events after the last signed head can be rewritten undetectably, so heads are signed automatically
# (`manage.py audit_checkpoint --watch`, started by `make run`; a service in production) after N
# unsigned events or once the oldest has waited T seconds, whichever comes first.
AUDIT_CHECKPOINT_EVERY_EVENTS = int(os.environ.get("AUDIT_CHECKPOINT_EVERY_EVENTS", "1000"))
AUDIT_CHECKPOINT_EVERY_SECONDS = int(os.environ.get("AUDIT_CHECKPOINT_EVERY_SECONDS", "60"))
# verify_audit fails when the oldest unsigned event, or the latest signed head, is older than this (the
# watcher has stopped, or was stopped through the database).
AUDIT_UNSIGNED_TAIL_MAX_SECONDS = int(os.environ.get("AUDIT_UNSIGNED_TAIL_MAX_SECONDS", "600"))
# The watcher signs a head at least this often, new events or not, so a quiet log never looks stopped.
# Default half the tail limit (300 s at 600), so setting the limit alone never leaves beats beyond it.
AUDIT_CHECKPOINT_HEARTBEAT_SECONDS = int(
    os.environ.get("AUDIT_CHECKPOINT_HEARTBEAT_SECONDS") or max(1, AUDIT_UNSIGNED_TAIL_MAX_SECONDS // 2)
)

# The nightly lifecycle run deletes an active record whose own key a failed merge shredded
# (`lifecycle.removal`); more than this many in one run is not a failed merge (a key provider's
# revocations from another environment, a restore gone wrong): none is deleted and the run fails, for a
# person to look (`manage.py repair_shredded`).
LIFECYCLE_REMOVALS_PER_RUN = int(os.environ.get("LIFECYCLE_REMOVALS_PER_RUN", "20"))
