"""The lead professional and CAF pages hand their template only the child's name, not the decrypted record.

Review (session 39, helper 10), after d30bcbc: both pages print the child's name as the question's caption
and nothing else of the record, yet each handed its template the whole decrypted record (`details`): the
address, the school and GP, and every source identifier, another body's NHS number included. What kept
them off the page was the template alone. The view hands on the name (`ChildIdentityShown`), no more.
"""

from django.urls import reverse

from tests.journeys import involved, signed_in, state_purpose
from tests.pages import handed_to_template, rendered

# Of `tests.personas.make_child`: its address, and the NHS number North Road Surgery issued (not Alice's body).
NOT_SHOWN = ("Quarry Lane", "LS1 4AB", "943 476 5919", "9434765919")


def _page(world, child, name: str):
    involved(world.alice, child)
    client = signed_in(world.alice)
    state_purpose(client, child)
    return client.get(reverse(name, args=[child.pk]))


def test_the_lead_professional_page_hands_its_template_the_childs_name_and_nothing_more_of_the_record(
    world, child
):
    response = _page(world, child, "children:lead_professional")
    page = rendered(response, heading="Who is the lead professional?")
    assert "Amelia Thornton" in page and "Alice Example, Social worker" in page
    handed = handed_to_template(response)
    for hidden in NOT_SHOWN:
        assert hidden not in handed


def test_the_caf_page_hands_its_template_the_childs_name_and_nothing_more_of_the_record(world, child):
    response = _page(world, child, "children:caf")
    page = rendered(response, heading="Has a Common Assessment (CAF) been completed?")
    assert "Amelia Thornton" in page
    handed = handed_to_template(response)
    for hidden in NOT_SHOWN:
        assert hidden not in handed


def test_the_caf_page_still_shows_the_flag_as_recorded(world, child):
    involved(world.alice, child)
    client = signed_in(world.alice)
    state_purpose(client, child)
    client.post(reverse("children:caf", args=[child.pk]), {"caf_completed": "yes"})
    response = client.get(reverse("children:caf", args=[child.pk]))
    assert response.context["form"].initial == {"caf_completed": "yes"}
