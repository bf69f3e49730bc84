"""An organisation's directory entry must read as it is stored: no control or invisible characters.

Practitioners read an organisation's name on every record (who is working with the child), its phone
and address to make contact, and feeds allocate children by an LA's code: a bell character, a
right-to-left override or a zero-width space in them makes "Wrenbrook Academy" show as something else,
or two entries that look the same differ. The rest of the service refuses such text through
`children.text.text_problem` (`children.forms.readable` on its forms); the directory's form took it.
"""

import pytest
from django.urls import reverse

from accounts.models import Organisation
from administration.tests.support import administrator, organisation_form
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.journeys import signed_in

HIDDEN = [
    pytest.param("name", "Wrenbrook\x07 Academy", "The name", id="name-control-character"),
    pytest.param("name", "Wrenbrook \u202eymedacA", "The name", id="name-right-to-left-override"),
    pytest.param("name", "Wrenbrook\u200b Academy", "The name", id="name-zero-width-space"),
    pytest.param("code", "URN-777\u200b001", "The code", id="code-zero-width-space"),
    pytest.param("address", "1 Mill Lane\x1b, Northshire", "The address", id="address-control-character"),
    pytest.param("phone", "0113 496\u2066 0100", "The phone number", id="phone-bidi-isolate"),
    # Django's EmailField takes any character from U+00A1 up in the domain (for international names).
    pytest.param(
        "email", "office@wren\u200bbrook.example.org", "The email address", id="email-zero-width-space"
    ),
]


@pytest.mark.parametrize(("field", "value", "label"), HIDDEN)
def test_a_new_organisation_with_invisible_characters_is_refused_and_not_added(world, field, value, label):
    client = signed_in(administrator(world))
    before = Organisation.objects.count()
    response = client.post(
        reverse("administration:organisation_new"), organisation_form(world, **{field: value})
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{label} contains control or invisible characters" in page
    assert 'class="govuk-error-summary' in page
    assert Organisation.objects.count() == before
    assert not Organisation.objects.filter(name__startswith="Wrenbrook").exists()
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationCreated).exists()


@pytest.mark.parametrize(("field", "value", "label"), HIDDEN)
def test_an_organisation_changed_to_invisible_characters_is_refused_and_stays_as_it_was(
    world, field, value, label
):
    client = signed_in(administrator(world))
    school = world.north_school
    stored = {name: getattr(school, name) for name in ("name", "code", "address", "phone", "email")}
    edit = reverse("administration:organisation_edit", args=[school.pk])
    form = {
        **organisation_form(world),
        "kind": school.kind,
        "name": school.name,
        "code": school.code,
        field: value,
    }
    response = client.post(edit, form)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{label} contains control or invisible characters" in page
    school.refresh_from_db()
    assert {name: getattr(school, name) for name in stored} == stored
    assert not AuditEvent.objects.filter(tag=AuditTag.OrganisationUpdated).exists()
