import os
from collections.abc import Iterator
from typing import Any

import pytest

from children.models import Child
from tests.personas import World, build_world, make_child


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def child(world: World) -> Child:
    return make_child(world)


@pytest.fixture
def shielded_child(world: World) -> Child:
    return make_child(world, given_names="Jasmine", family_name="Okafor", postcode="LS6 2QT", shielded=True)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters live in the cache: each test starts from zero, whatever ran before."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _own_audit_head_directory(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test exports signed heads into a directory of its own.

    The signer anchors on the latest exported head and refuses one missing from the database
    (audit.checkpoints.previous_trusted): a head exported by an earlier test, whose rows were rolled
    back with it, would stop the next test's checkpoint.
    """
    settings.AUDIT_HEAD_EXPORT_DIR = tmp_path_factory.mktemp("audit-heads")


# Database 13 is the tests' own, flushed before and after; .ci/run gives its concurrent PostgreSQL suite
# another (TEST_REDIS_DB), so that the two runs never flush each other's counters.
REDIS_TEST_URL = f"redis://127.0.0.1:6379/{int(os.environ.get('TEST_REDIS_DB', '13'))}"


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[Any]:
    """Point Django's cache at Redis (as production does), and hand back an independent client to it.

    The independent client plays another app server, or an attacker reading the cache.
    """
    import redis

    raw = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5)
    try:
        raw.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    raw.flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_TEST_URL}
    }
    yield raw
    raw.flushdb()
    raw.close()
