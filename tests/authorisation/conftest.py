import pytest

from tests.authorisation.world import MatrixWorld, build_matrix_world
from tests.personas import World


@pytest.fixture
def matrix(world: World) -> MatrixWorld:
    return build_matrix_world(world)
