"""The child's access report lists the searches that returned the child, as the subject access report does.

A search that returns a child shows its name, date of birth, gender and LA (for a shielded child too),
and is audited with the results it returned (`SearchAppearance`). The LA team's "Access to a child's
record" listed only events filed under the child's id, so someone who found the child by searching and
did not open the record (the 2009 case: looking up relatives) never appeared on the page the team reviews
a child's access with, though the requester's own subject access report lists each such search.
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag, tag_label
from reports.tests.reporting import searched
from tests.journeys import signed_in


def test_a_search_that_returned_the_child_is_listed_on_its_access_report(world, child):
    assert child in searched(world.bob)  # found, never opened

    page = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk])).content.decode()

    assert tag_label(AuditTag.SearchPerformed) in page
    assert "Bob Example" in page and "South Street Surgery" in page


def test_a_search_that_returned_a_shielded_child_is_listed_for_its_la_team_and_the_auditor(
    world, shielded_child
):
    assert shielded_child in searched(world.bob, family_name="Okafor")

    for reader in (world.lena, world.nadia):
        page = signed_in(reader).get(reverse("audit:child_access", args=[shielded_child.pk]))
        assert "Bob Example" in page.content.decode(), reader.username


def test_a_search_that_did_not_return_the_child_is_not_listed(world, child):
    searched(world.bob, family_name="Nobodyhere")
    assert AuditEvent.objects.filter(tag=AuditTag.SearchPerformed, actor=world.bob).exists()

    page = signed_in(world.lena).get(reverse("audit:child_access", args=[child.pk])).content.decode()

    assert "Bob Example" not in page


def test_the_childs_summary_download_counts_the_searches_that_returned_it(world, child):
    searched(world.bob)

    answer = signed_in(world.lena).get(reverse("audit:export"), {"report": "child", "child": str(child.pk)})

    assert AuditTag.SearchPerformed.value in answer.content.decode()
