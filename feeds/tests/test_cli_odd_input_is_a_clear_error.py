"""`manage.py ingest` and `manage.py feed_source` answer odd input with a clear error, never a traceback.

A `--batch-id` holding a NUL, or longer than a batch id may be, was a traceback from PostgreSQL; one with
a bidirectional override or another invisible character was stored (the API refuses all three, 422). A
source code with a NUL was a traceback; `feed_source create` with a code already registered, a code
longer than its column, or a trust rank past the column's range was a database traceback (its
transaction rolled back, the operator told nothing useful), and a code that is not a slug (a Cyrillic
letter passing for a Latin one) was registered.
"""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from feeds.models import FeedBatch, FeedSource
from feeds.tests.factories import feed_row, health_source


def _feed(tmp_path):
    row = feed_row()
    feed = tmp_path / "feed.csv"
    feed.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")
    return str(feed)


@pytest.mark.parametrize(
    ("batch_id", "says"),
    [
        ("b\x001", "batch id may hold only letters A-Z and a-z, digits"),
        ("\u202eb1", "batch id may hold only letters A-Z and a-z, digits"),
        ("b" * 101, "batch id is longer than 100 characters"),
    ],
)
def test_a_batch_id_the_api_would_refuse_is_refused_by_the_command(world, tmp_path, batch_id, says):
    health_source(world)
    with pytest.raises(CommandError, match=says):
        call_command("ingest", "health", _feed(tmp_path), "--batch-id", batch_id, "--no-progress")
    assert not FeedBatch.objects.exists()


def test_a_source_code_holding_a_nul_is_no_feed_source(world, tmp_path):
    health_source(world)
    with pytest.raises(CommandError, match="no feed source with that code"):
        call_command("ingest", "hea\x00lth", _feed(tmp_path), "--no-progress")
    for args in (
        ("token", "hea\x00lth"),
        ("tokens", "hea\x00lth"),
        ("revoke", "health", "--prefix", "cpf_\x00"),
        ("create", "census", "--organisation", "ORG\x00", "--las", "LA-N"),
        ("create", "census", "--organisation", "ORG-health", "--las", "LA-N,\x00"),
    ):
        with pytest.raises(CommandError, match="no argument may hold a NUL character"):
            call_command("feed_source", *args)


@pytest.mark.parametrize(
    ("code", "extra", "says"),
    [
        ("health", [], "a feed source with that code is already registered"),
        ("c" * 41, [], "a feed source code is 1 to 40 letters, digits, hyphens or underscores"),
        ("h\u0435alth", [], "a feed source code is 1 to 40 letters, digits, hyphens or underscores"),
        ("census", ["--trust", "70000"], "--trust must be between 0 and 32767"),
        ("census", ["--trust", "-1"], "--trust must be between 0 and 32767"),
    ],
)
def test_feed_source_create_with_odd_input_is_a_clear_error(world, code, extra, says):
    health_source(world)
    users = User.objects.count()
    with pytest.raises(CommandError, match=says):
        call_command("feed_source", "create", code, "--organisation", "ORG-health", "--las", "LA-N", *extra)
    assert FeedSource.objects.count() == 1 and User.objects.count() == users
