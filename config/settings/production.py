"""Production settings: every secret must come from the environment; a missing one stops start-up."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.http.request import validate_host

from .base import *  # noqa: F403
from .base import VAR_DIR, database_from_env


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} must be set in production.")
    return value


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
OTP_WEBAUTHN_RP_ID = _required("WEBAUTHN_RP_ID")
OTP_WEBAUTHN_RP_NAME = _required("WEBAUTHN_RP_NAME")
OTP_WEBAUTHN_ALLOWED_ORIGINS = _required("WEBAUTHN_ALLOWED_ORIGINS").split(",")
ALLOWED_HOSTS = _required("ALLOWED_HOSTS").split(",")


def _service_base_url() -> str:
    """Where the links the service emails point: an invitation's one-time token sets the password of an
    account that searches children. base.py's default (http://127.0.0.1:8000, for `make run`) would send
    it, in clear, to whatever listens on that port of the machine the email is opened on; so production
    takes `SERVICE_BASE_URL`, or else the first WebAuthn origin (required: the https address people sign
    in at), and refuses one that is not https or names a host the service does not answer."""
    url = os.environ.get("SERVICE_BASE_URL") or OTP_WEBAUTHN_ALLOWED_ORIGINS[0]
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise RuntimeError("SERVICE_BASE_URL must be an https:// address in production.")
    if not validate_host(parts.hostname, ALLOWED_HOSTS):
        raise RuntimeError("SERVICE_BASE_URL must name a host in ALLOWED_HOSTS.")
    return url.strip().rstrip("/")


SERVICE_BASE_URL = _service_base_url()
VAULT_KEY_FILE = _required("VAULT_KEY_FILE")
AUDIT_SIGNING_KEY_FILE = Path(_required("AUDIT_SIGNING_KEY_FILE"))
AUDIT_HEAD_EXPORT_DIR = Path(_required("AUDIT_HEAD_EXPORT_DIR"))
_required("DATABASE_URL")  # never the embedded SQLite default in production
DATABASES = {"default": database_from_env(VAR_DIR / "unused.sqlite3")}
# Read replicas for searches (config/routers.py), e.g. DATABASE_REPLICA_URLS=postgres://...,postgres://...
for _n, _url in enumerate(u for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u):
    DATABASES[f"replica{_n + 1}"] = {
        **dj_database_url.parse(_url, conn_max_age=60),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
# Lockouts and rate limits must be shared by every app server.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _required("REDIS_URL")}
}
# How many proxies in front of the app append to X-Forwarded-For (e.g. 1 for one load balancer,
# 2 for a CDN then a load balancer); per-IP limits count the address the outermost one saw.
TRUSTED_PROXY_HOPS = int(_required("TRUSTED_PROXY_HOPS"))
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(VAR_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = False

SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
