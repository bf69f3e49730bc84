"""The LA's figures count what changed, not each time the same answer is saved again.

"Common Assessments (CAF) recorded as completed" counted every "yes" saved, and "Lead professionals
recorded" every naming, though saving "yes" on a record already marked completed, or naming the lead
professional already named, changes nothing: an LA whose staff re-save a record's page read as many
assessments or leads as saves. Each audit entry now says whether the answer changed, and the figures count
changes (entries written before then, which cannot say, are counted as before).
"""

from django.urls import reverse

from audit.models import AuditEvent
from audit.services import event_record
from audit.tags import AuditTag
from children.services import caf_flag_set, lead_professional_set
from coordination.tests.support import record
from insight.tests.support import during, month_ago, row_figures, table_html
from tests.journeys import signed_in
from tests.personas import make_child

CAF = "Common Assessments (CAF) recorded as completed"
LEADS = "Lead professionals recorded"


def _last_month(world, row: str) -> str:
    """The row's figure for last month: the last complete month, the last column before the total."""
    page = signed_in(world.lena).get(reverse("insight:local"), {"months": "3"}).content.decode()
    return row_figures(table_html(page, "mi-2"), row)[-2]


def test_a_completed_assessment_saved_again_is_counted_once(world):
    children = [make_child(world, given_names=f"Child{n}", postcode="LS2 9JT") for n in range(12)]
    with during(month_ago(1)):
        for child in children:
            for _ in range(3):  # the same "yes" saved three times
                caf_flag_set(child=child, by=world.lena, completed=True)

    assert _last_month(world, CAF) == "10"  # 12 assessments (rounded), not 36 saves (35)
    saved = AuditEvent.objects.filter(tag=AuditTag.CafFlagSet, child_id=children[0].pk).order_by("id")
    assert [e.additional["changed"] for e in saved] == [True, False, False]


def test_the_same_lead_professional_named_again_is_counted_once(world):
    children = [make_child(world, given_names=f"Child{n}", postcode="LS2 9JT") for n in range(12)]
    with during(month_ago(1)):
        for child in children:
            involvement = record(child, world.alice, role="Social worker")
            for _ in range(3):
                lead_professional_set(child=child, by=world.lena, involvement=involvement)

    assert _last_month(world, LEADS) == "10"  # 12 namings, not 36 (35)


def test_entries_written_before_they_said_whether_anything_changed_are_counted_as_before(world):
    children = [make_child(world, given_names=f"Child{n}", postcode="LS2 9JT") for n in range(12)]
    with during(month_ago(1)):
        for child in children:  # as `caf_flag_set` wrote them until session 30
            event_record(
                tag=AuditTag.CafFlagSet, actor=world.lena, child_id=child.pk, additional={"completed": True}
            )

    assert _last_month(world, CAF) == "10"
