import pytest

from vault.providers import key_provider


@pytest.fixture(autouse=True)
def fresh_keys():
    """Each vault test gets its own ephemeral key ring, so rotating or retiring keys stays local."""
    key_provider.cache_clear()
    yield key_provider()
    key_provider.cache_clear()
