"""The bare-Django floor for `make bench-load`: the least a sealed, audited search page can cost.

Same machine, same gunicorn settings, same PostgreSQL and same encrypted rows as the real service,
and nothing else: database sessions with Django's own sign-in (argon2), CSRF, one query over the
OR of the query's blocking keys, AES-GCM unwrap of each candidate's data key and decryption of its
identity columns, one audit row INSERTed and committed, and a rendered page. No second factor, no
policy, no scoring, no rate limits or misuse rules: the ratio to it is the price of those.

Its own users, sessions and audit table live in FLOOR_DATABASE_URL; children are read (only) from
DATABASE_URL, the service's database, under the alias "index".
"""

import os
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent.parent
SECRET_KEY = (ROOT / "var" / "secret_key").read_text().strip()
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "bench.floor",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "bench.floor.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES = {
    "default": dj_database_url.parse(os.environ["FLOOR_DATABASE_URL"], conn_max_age=60),
    "index": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60),
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
USE_TZ = True
LOGIN_URL = "/sign-in/"
LOGIN_REDIRECT_URL = "/search/"
SESSION_COOKIE_AGE = 15 * 60
VAULT_KEY_FILE = ROOT / "var" / "vault-keys.json"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
