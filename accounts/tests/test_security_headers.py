import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from tests.journeys import signed_in

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_the_deploy_check_with_no_warnings(tmp_path):
    key_file = tmp_path / "vault-keys.json"
    key_file.write_text("{}")
    key_file.chmod(0o600)
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "WEBAUTHN_RP_ID": "contactpoint.example",
        "WEBAUTHN_RP_NAME": "ContactPoint",
        "WEBAUTHN_ALLOWED_ORIGINS": "https://contactpoint.example",
        "ALLOWED_HOSTS": "contactpoint.example",
        "VAULT_KEY_FILE": str(key_file),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "AUDIT_SIGNING_KEY_FILE": str(tmp_path / "audit-signing-key.pem"),
        "AUDIT_HEAD_EXPORT_DIR": str(tmp_path / "audit-heads"),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "TRUSTED_PROXY_HOPS": "1",
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings=config.settings.production",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_the_embedded_database_and_a_local_cache(tmp_path):
    base = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "WEBAUTHN_RP_ID": "contactpoint.example",
        "WEBAUTHN_RP_NAME": "ContactPoint",
        "WEBAUTHN_ALLOWED_ORIGINS": "https://contactpoint.example",
        "ALLOWED_HOSTS": "contactpoint.example",
        "VAULT_KEY_FILE": str(tmp_path / "k.json"),
        "AUDIT_SIGNING_KEY_FILE": str(tmp_path / "a.pem"),
        "AUDIT_HEAD_EXPORT_DIR": str(tmp_path / "heads"),
    }
    for missing, env in (
        ("DATABASE_URL", base),
        ("REDIS_URL", {**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}),
    ):
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--settings=config.settings.production"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode != 0
        assert f"{missing} must be set in production" in result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--settings=config.settings.production"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_every_page_sends_a_strict_content_security_policy(world):
    response = signed_in(world.alice).get(reverse("children:search"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_hold_no_inline_script_or_style():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert "<script>" not in text and '<script type="module">' not in text, template
        assert " style=" not in text and "<style" not in text, template


def test_the_account_guards_refusal_page_carries_the_security_headers(world):
    """The guard answers before any view runs (a lapsed background check here): its page must still
    pass through the CSP, framing and no-store layers, as a view's refusal does."""
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from tests.journeys import signed_in

    client = signed_in(world.alice)
    world.alice.background_check_on = timezone.localdate() - timedelta(days=4 * 365)
    world.alice.save(update_fields=["background_check_on"])
    refused = client.get(reverse("children:search"))
    assert refused.status_code == 403 and "You cannot do this" in refused.content.decode()
    assert "Content-Security-Policy" in refused.headers
    assert refused.headers.get("X-Frame-Options") == "DENY"
    assert "no-store" in refused.headers.get("Cache-Control", "")
