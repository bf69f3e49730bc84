"""`manage.py feed_source revoke --prefix` given the whole token, or a start of it longer or shorter than
a prefix, revokes that token or says what a prefix is; never "no live token starts with that prefix".

The prefix was compared for equality with the token's first 8 characters. An operator revoking a leaked
token pastes the token they were sent (or a longer start of it, to be sure): the command answered "no
live token of this source starts with that prefix: nothing was revoked", which reads as "already
revoked, or not this source's", and the leaked token stayed live.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from audit.tags import AuditTag
from feeds.models import FeedToken
from feeds.sources import feed_source_authenticate, feed_token_issue
from feeds.tests.factories import health_source


def test_the_whole_token_given_as_the_prefix_revokes_it_and_no_other(world):
    source = health_source(world)
    leaked, other = feed_token_issue(source=source), feed_token_issue(source=source)
    out = StringIO()
    call_command("feed_source", "revoke", "health", "--prefix", leaked, stdout=out)
    assert "Token revoked." in out.getvalue()
    assert feed_source_authenticate(leaked) is None
    assert feed_source_authenticate(other) == source
    assert AuditEvent.objects.filter(tag=AuditTag.FeedTokenRevoked).count() == 1


def test_the_whole_token_revokes_it_even_when_another_live_token_shares_its_prefix(world):
    source = health_source(world)
    leaked, other = feed_token_issue(source=source), feed_token_issue(source=source)
    FeedToken.objects.filter(prefix=other[:8]).update(prefix=leaked[:8])
    call_command("feed_source", "revoke", "health", "--prefix", leaked, stdout=StringIO())
    assert feed_source_authenticate(leaked) is None
    assert feed_source_authenticate(other) == source


@pytest.mark.parametrize("length", [6, 12])
def test_a_start_of_a_token_that_is_not_its_prefix_is_refused_saying_what_a_prefix_is(world, length):
    source = health_source(world)
    token = feed_token_issue(source=source)
    with pytest.raises(CommandError) as refused:
        call_command("feed_source", "revoke", "health", "--prefix", token[:length], stdout=StringIO())
    said = str(refused.value)
    assert "first 8 characters" in said and "nothing was revoked" in said
    assert token[:length] not in said
    assert feed_source_authenticate(token) == source


def test_another_sources_whole_token_revokes_nothing(world):
    health_source(world)
    census = health_source(world, code="census")
    theirs = feed_token_issue(source=census)
    with pytest.raises(CommandError, match="nothing was revoked"):
        call_command("feed_source", "revoke", "health", "--prefix", theirs, stdout=StringIO())
    assert feed_source_authenticate(theirs) == census


def test_a_prefix_holding_bytes_the_shell_could_not_decode_is_refused_not_a_traceback(world):
    token = feed_token_issue(source=health_source(world))
    for given in ("cpf_\udcff\udcfe\udcfd\udcfc", token[:4] + "\udcff" * 43):
        with pytest.raises(CommandError, match="nothing was revoked"):
            call_command("feed_source", "revoke", "health", "--prefix", given, stdout=StringIO())
    assert feed_source_authenticate(token) is not None
