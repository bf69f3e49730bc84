"""The lead professional page named anyone with a current involvement, whatever their account now.

An offer to lead from a practitioner suspended, closed or no longer vetted is not offered or accepted
(this session, coordination: "someone who cannot sign in became the child's lead professional"). The lead professional
page, the other way to name a lead, still offered such a practitioner's involvement and saved it: a
practitioner suspended for misuse, or gone, was named the person every other practitioner is told
coordinates the work. The page now offers, and saves, only involvements whose practitioner the rules
let use the service now; the others come back once they are reinstated.
"""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import account_close, account_reinstate, account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.forms import LeadProfessionalForm
from children.models import Child, Involvement
from children.selectors import child_details
from tests.journeys import involved, signed_in, state_purpose
from tests.personas import make_user

CAROL = "Carol Example"


def _carol(world) -> User:
    return make_user("carol", world.north_social_care)


def _lead_page(user: User, child: Child) -> tuple[object, str]:
    client = signed_in(user)
    state_purpose(client, child)
    url = reverse("children:lead_professional", args=[child.pk])
    return client, client.get(url).content.decode()


def _post_lead(client, child: Child, involvement: Involvement) -> str:
    url = reverse("children:lead_professional", args=[child.pk])
    response = client.post(url, {"involvement": str(involvement.pk)}, follow=True)
    return response.content.decode()


def _stored_lead(child: Child) -> str | None:
    return child_details(Child.objects.select_related("data_key").get(pk=child.pk)).lead_professional_id


def test_a_suspended_practitioner_is_not_offered_nor_named_lead_by_a_colleague(world, child):
    involved(world.alice, child, name="Alice Example", role="Social worker", started_on=date(2024, 1, 1))
    carol = _carol(world)
    carols = involved(carol, child, name=CAROL, role="Family support worker", started_on=date(2024, 1, 1))
    account_suspend(user=carol, by=world.lena, reason="Misuse under investigation")

    client, page = _lead_page(world.alice, child)
    assert "Who is the lead professional?" in page and "Alice Example" in page
    assert CAROL not in page

    answer = _post_lead(client, child, carols)
    assert LeadProfessionalForm.CANNOT_ACT in answer
    assert _stored_lead(child) is None
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalSet).exists()


def test_the_la_team_cannot_name_a_closed_account_lead_professional(world, child):
    carol = _carol(world)
    carols = involved(carol, child, name=CAROL, role="Family support worker", started_on=date(2024, 1, 1))
    account_close(user=carol, by=world.lena)

    client, page = _lead_page(world.lena, child)
    assert "Who is the lead professional?" in page and CAROL not in page
    assert LeadProfessionalForm.CANNOT_ACT in _post_lead(client, child, carols)
    assert _stored_lead(child) is None


def test_a_practitioner_whose_training_lapsed_is_not_offered(world, child):
    involved(world.alice, child, name="Alice Example", role="Social worker", started_on=date(2024, 1, 1))
    carol = _carol(world)
    involved(carol, child, name=CAROL, role="Family support worker", started_on=date(2024, 1, 1))
    User.objects.filter(pk=carol.pk).update(training_completed_on=timezone.localdate() - timedelta(days=800))

    _client, page = _lead_page(world.alice, child)
    assert "Alice Example" in page and CAROL not in page


def test_a_reinstated_practitioner_is_offered_and_named_again(world, child):
    involved(world.alice, child, name="Alice Example", role="Social worker", started_on=date(2024, 1, 1))
    carol = _carol(world)
    carols = involved(carol, child, name=CAROL, role="Family support worker", started_on=date(2024, 1, 1))
    account_suspend(user=carol, by=world.lena, reason="Misuse under investigation")
    account_reinstate(user=User.objects.get(pk=carol.pk), by=world.lena)

    client, page = _lead_page(world.alice, child)
    assert CAROL in page
    assert "The lead professional has been updated" in _post_lead(client, child, carols)
    assert _stored_lead(child) == str(carols.pk)


def test_a_practitioner_suspended_after_the_page_checked_them_is_not_named(world, child, monkeypatch):
    """The page judged Carol able to lead; the LA team suspended her before the save locked the record
    (session 24 left this open): the save judges her account as it stands, under a lock, and names nobody."""
    import children.views

    involved(world.alice, child, name="Alice Example", role="Social worker", started_on=date(2024, 1, 1))
    carol = _carol(world)
    involvement = involved(
        carol, child, name=CAROL, role="Family support worker", started_on=date(2024, 1, 1)
    )
    client, page = _lead_page(world.alice, child)
    assert CAROL in page
    real = children.views.lead_professional_set

    def suspended_first(**kwargs):
        account_suspend(user=User.objects.get(pk=carol.pk), by=world.lena, reason="Synthetic reason")
        return real(**kwargs)

    monkeypatch.setattr(children.views, "lead_professional_set", suspended_first)
    shown = _post_lead(client, child, involvement)
    assert LeadProfessionalForm.CANNOT_ACT in shown
    assert _stored_lead(child) is None
    assert not AuditEvent.objects.filter(tag=AuditTag.LeadProfessionalSet).exists()
