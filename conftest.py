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
