"""The test settings keep every test's files out of the project's own var/ directory.

A test that exported a signed head into var/audit-heads (signed with a throwaway key) made the next
`verify_audit` on the developer's or the load benchmark's database fail ("not signed by the pinned key").
"""

from pathlib import Path

from django.conf import settings

from audit.checkpoints import checkpoint_create
from audit.signing import signing_key_create


def test_signed_heads_are_exported_outside_the_projects_var_directory():
    var = (settings.BASE_DIR / "var").resolve()
    assert not Path(settings.AUDIT_HEAD_EXPORT_DIR).resolve().is_relative_to(var)


def test_a_checkpoint_made_by_a_test_leaves_var_audit_heads_as_it_was(db, settings, tmp_path):
    heads = settings.BASE_DIR / "var" / "audit-heads"
    before = sorted(heads.glob("head-*.json")) if heads.exists() else []
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "signing.pem"
    signing_key_create(settings.AUDIT_SIGNING_KEY_FILE)

    checkpoint_create()

    assert (sorted(heads.glob("head-*.json")) if heads.exists() else []) == before
    assert list(Path(settings.AUDIT_HEAD_EXPORT_DIR).glob("head-*.json"))
