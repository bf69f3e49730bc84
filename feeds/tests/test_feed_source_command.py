"""`manage.py feed_source`: register, issue a token (shown once, stored hashed), revoke it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organisation, OrganisationKind
from feeds.models import FeedSource, FeedToken
from feeds.sources import feed_source_authenticate


def run(*args: str) -> str:
    out = StringIO()
    call_command("feed_source", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_register_issue_and_revoke(world):
    Organisation.objects.create(
        kind=OrganisationKind.HEALTH, name="Health", code="ODS-1", accredited_on=world.north.accredited_on
    )
    run(
        "create",
        "health",
        "--organisation",
        "ODS-1",
        "--fields",
        "given_names,family_name,date_of_birth",
        "--las",
        "LA-N",
    )
    source = FeedSource.objects.get(code="health")
    assert source.fields == ["date_of_birth", "family_name", "given_names"]
    token = run("token", "health")
    assert feed_source_authenticate(token) == source
    assert not FeedToken.objects.filter(digest=token).exists()
    run("revoke", "health", "--prefix", token[:8])
    assert feed_source_authenticate(token) is None


def test_unknown_fields_or_las_are_refused(world):
    Organisation.objects.create(
        kind=OrganisationKind.HEALTH, name="Health", code="ODS-1", accredited_on=world.north.accredited_on
    )
    with pytest.raises(CommandError, match="not a feed field: shoe_size"):
        run("create", "h", "--organisation", "ODS-1", "--fields", "shoe_size", "--las", "LA-N")
    with pytest.raises(CommandError, match="local authority"):
        run("create", "h", "--organisation", "ODS-1", "--las", "LA-Q")
    assert not FeedSource.objects.exists()
