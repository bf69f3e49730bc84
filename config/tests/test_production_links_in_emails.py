"""Links the service emails (an invitation's one-time token, the inbox, the brokering page) point at the
service itself, over https, in production.

`SERVICE_BASE_URL` defaulted to `http://127.0.0.1:8000` in every environment and production did not ask
for it (it is not on the deployment checklist): a production deployment without it emailed each new
practitioner "Use your invitation link within 24 hours: http://127.0.0.1:8000/account/invitation/<token>/".
The token sets the password of an account that searches children; clicking it sends it, in clear, to
whatever listens on port 8000 of the machine the email is opened on. An `http://` address, or one on a
host the service does not answer, sends it in clear or to someone else.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_LINK = (
    "from django.conf import settings; "
    "print('LINK=' + settings.SERVICE_BASE_URL.rstrip('/') + '/account/invitation/TOKEN/')"
)


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SERVICE_BASE_URL"}
    env.update(
        {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
            "WEBAUTHN_RP_ID": "contactpoint.example",
            "WEBAUTHN_RP_NAME": "ContactPoint",
            "WEBAUTHN_ALLOWED_ORIGINS": "https://contactpoint.example",
            "ALLOWED_HOSTS": "contactpoint.example,feeds.contactpoint.example",
            "VAULT_KEY_FILE": str(tmp_path / "vault-keys.json"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "AUDIT_SIGNING_KEY_FILE": str(tmp_path / "audit-signing-key.pem"),
            "AUDIT_HEAD_EXPORT_DIR": str(tmp_path / "audit-heads"),
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "TRUSTED_PROXY_HOPS": "1",
        }
    )
    env.update(overrides)
    return env


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this project's manage.py with fixed arguments
        [sys.executable, "manage.py", "shell", "--settings=config.settings.production", "-c", PRINT_LINK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_an_invitation_link_in_production_goes_to_the_service_over_https_without_being_configured(tmp_path):
    result = _start(_production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    link = next(line for line in result.stdout.splitlines() if line.startswith("LINK="))
    assert link == "LINK=https://contactpoint.example/account/invitation/TOKEN/", link


def test_a_service_address_set_in_production_is_used(tmp_path):
    result = _start(_production_env(tmp_path, SERVICE_BASE_URL="https://contactpoint.example/"))
    assert result.returncode == 0, result.stderr
    assert "LINK=https://contactpoint.example/account/invitation/TOKEN/" in result.stdout


def test_production_refuses_to_start_with_a_service_address_that_is_not_https(tmp_path):
    result = _start(_production_env(tmp_path, SERVICE_BASE_URL="http://contactpoint.example"))
    assert result.returncode != 0
    assert "LINK=" not in result.stdout
    assert "SERVICE_BASE_URL must be an https:// address" in result.stderr


def test_production_refuses_to_start_with_a_service_address_on_a_host_it_does_not_answer(tmp_path):
    result = _start(_production_env(tmp_path, SERVICE_BASE_URL="https://contactpoint.example.net"))
    assert result.returncode != 0
    assert "LINK=" not in result.stdout
    assert "SERVICE_BASE_URL must name a host in ALLOWED_HOSTS" in result.stderr
