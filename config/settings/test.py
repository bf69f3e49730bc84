"""Test settings: throwaway secrets made at import, never written anywhere."""

import atexit
import secrets
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, database_from_env

DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SECRET_KEY = secrets.token_urlsafe(50)
DATABASES = {"default": database_from_env(BASE_DIR / "var" / "test.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a flush that deletes rather than truncates (config/test_postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "config.test_postgresql"
# A second alias for the replica router's tests (config/tests); DATABASE_REPLICAS stays empty elsewhere.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
VAULT_KEY_PROVIDER = "vault.providers.EphemeralKeyProvider"
# Signed heads a test exports go to a directory of this run's own, never the project's var/audit-heads,
# whose heads `verify_audit` checks against the real signing key (config/tests/test_test_settings.py).
AUDIT_HEAD_EXPORT_DIR = Path(tempfile.mkdtemp(prefix="cp-test-audit-heads-"))
atexit.register(shutil.rmtree, AUDIT_HEAD_EXPORT_DIR, ignore_errors=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production uses argon2id
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Synthetic demo data may be written here (children/synthetic/guard.py); never in production.
DEMO_DATA_ALLOWED = True

# Working hours all day, every day, so a test run at night is not activity out of hours; the
# out-of-hours rule's own tests set the production hours and freeze the clock.
MISUSE_WORKING_HOURS_START = "00:00"
MISUSE_WORKING_HOURS_END = "00:00"
MISUSE_WORKING_DAYS = (0, 1, 2, 3, 4, 5, 6)
