"""Every model change ships with its migration: CI fails on a model that the migrations do not describe."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_migrations_describe_every_model() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"models changed without a migration (exit {exit_.code}):\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
