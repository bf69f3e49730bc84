"""A new identity made from a shielded record is shielded too. Lifting a shield is the shielding page's
decision, with its reason and its audit event (`child:shield:lifted`); without this, an unticked box on
the new-identity page gave a protected child a record every practitioner could locate, with neither."""

from django.urls import reverse

from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from lifecycle.tests.test_new_identity import FORM
from tests.journeys import signed_in
from tests.personas import make_child


def test_a_new_identity_made_from_a_shielded_record_is_shielded_even_with_the_box_unticked(world):
    old = make_child(world, shielded=True)
    lena = signed_in(world.lena)
    page = lena.get(reverse("moves:new_identity", args=[old.pk])).content.decode()
    assert "This record is shielded, so the new record will be shielded too" in page

    response = lena.post(reverse("moves:new_identity", args=[old.pk]), {**FORM, "shielded": ""})

    assert response.status_code == 302
    new = Child.objects.exclude(pk=old.pk).get()
    assert new.shielded
    assert not AuditEvent.objects.filter(tag=AuditTag.ShieldLifted).exists()


def test_a_new_identity_made_from_an_unshielded_record_is_shielded_only_if_asked(world):
    old = make_child(world)
    lena = signed_in(world.lena)
    assert "new record will be shielded too" not in (
        lena.get(reverse("moves:new_identity", args=[old.pk])).content.decode()
    )
    lena.post(reverse("moves:new_identity", args=[old.pk]), {**FORM, "shielded": ""})
    assert not Child.objects.exclude(pk=old.pk).get().shielded
