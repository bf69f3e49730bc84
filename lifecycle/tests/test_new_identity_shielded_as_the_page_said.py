"""A new identity is shielded as its page said it would be, whatever a colleague did in between.

The page of a shielded record offers no "shield the new record" box: it says the new record will be
shielded too. If a colleague lifted the old record's shield after the page was read, the form (sent
without the box it never showed) made the new identity, often a protected child's, unshielded: its new
address shown to every practitioner who found it, and found by its postcode. What the page said is done.
"""

import re

from django.urls import reverse

from children.models import Child
from lifecycle.shielding import shield_set
from lifecycle.tests.test_new_identity import FORM
from tests.journeys import signed_in
from tests.personas import make_child


def _hidden_inputs(page: str) -> dict[str, str]:
    """What the browser sends back unseen: every hidden input of the page's form."""
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return {name: value for name, value in found if name != "csrfmiddlewaretoken"}


def test_a_shield_lifted_after_the_page_was_read_still_leaves_the_new_identity_shielded(world):
    old = make_child(world, shielded=True)
    lena = signed_in(world.lena)
    page = lena.get(reverse("moves:new_identity", args=[old.pk])).content.decode()
    assert "This record is shielded, so the new record will be shielded too" in page
    assert 'name="shielded" type="checkbox"' not in page  # no box to tick: the page says it is done

    shield_set(child=old, by=world.lena, shielded=False, reason="Risk reviewed by the team")
    answers = {name: value for name, value in FORM.items() if name != "shielded"}  # only what was shown
    response = lena.post(reverse("moves:new_identity", args=[old.pk]), {**answers, **_hidden_inputs(page)})

    assert response.status_code == 302
    assert Child.objects.exclude(pk=old.pk).get().shielded
