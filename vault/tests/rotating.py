"""What the overlapping-rotation tests share: a few synthetic children, a `rotate_keys` run as a person
would start it, and where the live data keys stand."""

from datetime import date
from io import StringIO
from typing import Any

from django.core.management import CommandError, call_command

from tests.personas import make_child
from vault.models import DataKey

CHILDREN = 5


def children_made(world: Any, count: int = CHILDREN) -> list[Any]:
    """`count` synthetic children, each with its own data key."""
    return [
        make_child(world, given_names=f"Child{n}", date_of_birth=date(2014, 1, n + 1)) for n in range(count)
    ]


def rotate(*args: str) -> tuple[str, CommandError | None]:
    """What the run printed, and the error it ended with (None: it finished)."""
    out = StringIO()
    try:
        call_command("rotate_keys", "--no-progress", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def live_versions() -> list[int]:
    """The KEK version of every live data key, sorted."""
    return sorted(DataKey.objects.filter(shredded_at__isnull=True).values_list("kek_version", flat=True))
