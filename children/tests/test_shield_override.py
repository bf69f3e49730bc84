from datetime import date

from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.search import SearchCriteria, child_search
from oversight.models import Alert
from tests.journeys import signed_in, state_purpose
from tests.pages import rendered

OVERRIDE = {"reason": "Child reported missing tonight", "understood": "on"}


def test_an_override_holder_opens_a_shielded_record_once_with_a_reason(world, shielded_child):
    client = signed_in(world.olivia)
    url = reverse("children:override", args=[shielded_child.pk])
    warning = client.get(url).content.decode()
    assert "trigger an investigation" in warning
    response = client.post(url, OVERRIDE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "LS6 2QT" in page and "Grace Thornton" in page
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(tag=AuditTag.ShieldOverridden)
    assert event.actor == world.olivia and event.child_id == shielded_child.pk
    assert "missing" not in str(event.additional)


def test_an_override_alerts_the_owning_la_team_at_once(
    world, shielded_child, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the alert email goes out on commit
        signed_in(world.olivia).post(reverse("children:override", args=[shielded_child.pk]), OVERRIDE)
    alert = Alert.objects.get()
    assert alert.local_authority == world.north and alert.child_id == shielded_child.pk
    assert mail.outbox[0].to == [world.lena.email]
    assert "Jasmine" not in mail.outbox[0].body
    alerts_page = signed_in(world.lena).get(reverse("oversight:alerts")).content.decode()
    assert "Shielded record opened in an emergency" in alerts_page


def test_the_override_shows_hidden_fields_for_that_one_view_only(world, shielded_child):
    client = signed_in(world.olivia)
    client.post(reverse("children:override", args=[shielded_child.pk]), OVERRIDE)
    state_purpose(client, shielded_child)
    later = rendered(
        client.get(reverse("children:record", args=[shielded_child.pk])), heading="Jasmine Okafor"
    )
    assert "Contact the ContactPoint team at <strong>Northshire Council</strong>" in later
    assert "LS6 2QT" not in later


def test_an_override_needs_a_reason_and_acknowledgement(world, shielded_child):
    client = signed_in(world.olivia)
    response = client.post(reverse("children:override", args=[shielded_child.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "Enter why you need emergency access" in response.content.decode()
    assert not AuditEvent.objects.filter(tag=AuditTag.ShieldOverridden).exists()
    assert not Alert.objects.exists()


def test_an_override_needs_recent_reauthentication(world, shielded_child):
    client = signed_in(world.olivia, reauthenticated=False)
    response = client.post(reverse("children:override", args=[shielded_child.pk]), OVERRIDE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert not Alert.objects.exists()


def test_an_ordinary_practitioner_cannot_override(world, shielded_child):
    response = signed_in(world.alice).post(reverse("children:override", args=[shielded_child.pk]), OVERRIDE)
    assert response.status_code == 403
    assert not Alert.objects.exists()


def test_there_is_nothing_to_override_on_an_unshielded_record(world, child):
    """Told so at once by someone who found the child (by id alone, the page asks the reason of any
    record: test_a_childs_id_tells_nothing_to_whoever_may_not_identify_it)."""
    child_search(criteria=SearchCriteria("Thornton", date_of_birth=date(2015, 3, 4)), fetched_by=world.olivia)
    response = signed_in(world.olivia).get(reverse("children:override", args=[child.pk]))
    assert response.status_code == 403
    assert "This record is not shielded: open it in the usual way." in response.content.decode()
