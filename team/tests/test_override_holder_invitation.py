"""Break-glass (override holder) is for child-protection staff only (domain.md: social worker, police)."""

from django.urls import reverse

from accounts.models import Role, User
from tests.invitations import invitation_form
from tests.journeys import signed_in

INVITE = invitation_form(role=None, manager_email="boss@example.org")


def test_the_la_team_cannot_give_break_glass_to_staff_of_a_school_or_gp_practice(world):
    client = signed_in(world.lena)
    for organisation in (world.north_school, world.north_gp):
        data = {**INVITE, "role": Role.OVERRIDE_HOLDER, "organisation": str(organisation.pk)}
        response = client.post(reverse("team:invite"), data)
        assert response.status_code == 200
        assert "Only staff of children&#x27;s social care or the police can have emergency access" in (
            response.content.decode()
        )
        assert not User.objects.filter(username="ivy").exists()
    # A school's member of staff is still invited as a practitioner; a social worker may hold break-glass.
    practitioner = {**INVITE, "role": Role.PRACTITIONER, "organisation": str(world.north_school.pk)}
    assert client.post(reverse("team:invite"), practitioner).status_code == 302
    social_worker = {
        **INVITE,
        "email": "ivo@example.org",
        "username": "ivo",
        "role": Role.OVERRIDE_HOLDER,
        "organisation": str(world.north_social_care.pk),
    }
    assert client.post(reverse("team:invite"), social_worker).status_code == 302
    assert User.objects.get(username="ivo").role == Role.OVERRIDE_HOLDER
