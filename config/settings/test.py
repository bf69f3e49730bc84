"""Test settings: throwaway secrets made at import, never written anywhere."""

import secrets

from .base import *  # noqa: F403
from .base import BASE_DIR, database_from_env

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SECRET_KEY = secrets.token_urlsafe(50)
DATABASES = {"default": database_from_env(BASE_DIR / "var" / "test.sqlite3")}
# A second alias for the replica router's tests (config/tests); DATABASE_REPLICAS stays empty elsewhere.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
VAULT_KEY_PROVIDER = "vault.providers.EphemeralKeyProvider"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production uses argon2id
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Synthetic demo data may be written here (children/synthetic/guard.py); never in production.
DEMO_DATA_ALLOWED = True
