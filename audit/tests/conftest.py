import pytest

from audit.signing import signing_key_create


@pytest.fixture
def signed_log(tmp_path, settings):
    """A fresh signing key and head directory per test, small cache blocks so tiny logs use the cache."""
    settings.AUDIT_SIGNING_KEY_FILE = tmp_path / "signing.pem"
    settings.AUDIT_HEAD_EXPORT_DIR = tmp_path / "heads"
    settings.AUDIT_SUBTREE_CACHE_LEVEL = 2
    settings.AUDIT_CHECKPOINT_GRACE_SECONDS = 0
    signing_key_create(settings.AUDIT_SIGNING_KEY_FILE)
    return tmp_path
