"""The leaflet a practitioner gives the family says what ContactPoint holds. It left out that a record holds
whether a Common Assessment has been completed and who the lead professional is (the one item that says
something about a child's needs, and who coordinates the work), the national index number and the
numbers other services know the child by (NHS number, pupil number), and former names: a family told
"what it holds" was not told all of it (domain: "a clear report of what is held")."""

from django.urls import reverse

from tests.journeys import signed_in


def test_the_leaflet_names_every_kind_of_detail_a_record_holds(world):
    page = signed_in(world.alice).get(reverse("coordination:leaflet")).content.decode()
    for held in (
        "former names",
        "ContactPoint index number",
        "NHS number",
        "school and GP practice",
        "whether a Common Assessment",
        "lead professional",
        "names, roles and contact details of the practitioners working with the child",
    ):
        assert held in page, held
