"""The directory's audit says what an organisation's accreditation, closing date, LA and kind changed from
and to: a cut-off is told from a grant, and a move names both LAs.

Before, `accounts.directory.organisation_update` recorded only the names of the fields changed: taking an
organisation's accreditation away (every member of staff cut off at their next request) and giving it back
were the same event, and a move of its staff to another LA's team named neither LA. None of these four is
personal data (the directory holds them for all to read); the other fields' values stay out of the log.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from administration.forms import OrganisationForm
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in
from tests.personas import make_user


def _edit(client, organisation, **changes):
    organisation.refresh_from_db()
    data = {
        **OrganisationForm.initial_for(organisation),
        "version": OrganisationForm.version_of(organisation),
    }
    data = {name: value for name, value in {**data, **changes}.items() if value != ""}
    response = client.post(reverse("administration:organisation_edit", args=[organisation.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _administrator(world):
    return make_user("simon", world.nadia.organisation, Role.SYSTEM_ADMIN)  # of a national body


def _updates() -> list[dict]:
    return [e.additional for e in AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).order_by("pk")]


def test_a_cut_off_a_grant_and_a_move_each_say_what_they_changed_from_and_to(world):
    admin = signed_in(_administrator(world))
    organisation = world.north_social_care
    was_accredited = organisation.accredited_on
    later = timezone.localdate() + timedelta(days=300)
    _edit(
        admin,
        organisation,
        accredited_day=str(later.day),
        accredited_month=str(later.month),
        accredited_year=str(later.year),
    )
    _edit(admin, organisation, accredited_day="1", accredited_month="1", accredited_year="2020")
    _edit(admin, organisation, local_authority=str(world.south.pk))
    cut, grant, move = _updates()
    assert cut["changed"] == ["accredited_on"]
    assert cut["before"] == {"accredited_on": was_accredited.isoformat()}
    assert cut["after"] == {"accredited_on": later.isoformat()}
    assert grant["before"] == {"accredited_on": later.isoformat()}
    assert grant["after"] == {"accredited_on": "2020-01-01"}
    assert move["changed"] == ["local_authority"]
    assert move["before"] == {"local_authority_id": world.north.pk}
    assert move["after"] == {"local_authority_id": world.south.pk}


def test_an_accreditation_cleared_is_recorded_as_none(world):
    admin = signed_in(_administrator(world))
    _edit(admin, world.north_gp, accredited_day="", accredited_month="", accredited_year="")
    [cleared] = _updates()
    assert cleared["after"] == {"accredited_on": None}
    assert cleared["before"]["accredited_on"] is not None


def test_a_change_of_kind_is_recorded_from_and_to(world):
    admin = signed_in(_administrator(world))
    _edit(admin, world.north_gp, kind="school")
    [changed] = _updates()
    assert changed["before"] == {"kind": "gp"}
    assert changed["after"] == {"kind": "school"}


def test_other_fields_changed_are_named_but_their_values_stay_out_of_the_log(world):
    admin = signed_in(_administrator(world))
    _edit(admin, world.north_gp, phone="0113 496 0999", name="Renamed Surgery")
    [changed] = _updates()
    assert changed["changed"] == ["name", "phone"]
    assert "before" not in changed and "after" not in changed
    assert "0113 496 0999" not in str(changed) and "Renamed" not in str(changed)


def test_a_close_records_its_closing_date_from_and_to(world):
    admin = signed_in(_administrator(world))
    path = reverse("administration:organisation_close", args=[world.north_gp.pk])
    response = admin.post(path, {"confirmed": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    [closed] = AuditEvent.objects.filter(tag=AuditTag.OrganisationClosed)
    assert closed.additional["before"] == {"closed_on": None}
    assert closed.additional["after"] == {"closed_on": timezone.localdate().isoformat()}
