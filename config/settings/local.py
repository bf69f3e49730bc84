"""Development settings for `make run`: secrets come from files that `make run` generates under var/."""

from .base import *  # noqa: F403
from .base import VAR_DIR, database_from_env

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]


def _read_generated(name: str) -> str:
    path = VAR_DIR / name
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run `make run` (it generates development secrets).")
    return path.read_text().strip()


SECRET_KEY = _read_generated("secret_key")
VAULT_KEY_FILE = VAR_DIR / "vault-keys.json"
DATABASES = {"default": database_from_env(VAR_DIR / "db.sqlite3")}
AUDIT_SIGNING_KEY_FILE = VAR_DIR / "audit-signing-key.pem"

# Synthetic demo data may be written here (children/synthetic/guard.py); never in production.
DEMO_DATA_ALLOWED = True

# Development: emails (alerts, invitations) are printed by the server instead of sent.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
