"""The disclosure file carries each child as the release found them, never a later state.

The release counted the download and audited it for each child, reading the children's rows; the file
was then built after that transaction, and read the children's services afresh. A child shielded in
that instant, with the service that now knows where they live recorded, had that service exported as
if unshielded (the shield arrived after the release read the row). The file is now built in the
release's own transaction, under the children's row locks, so a shield or a new service either came
first (and is honoured) or waits for the download to finish (review, session 22).
"""

from datetime import date
from unittest import mock

from accounts.models import Role
from children.models import Child
from children.records import InvolvementDetails
from children.services import involvement_record
from disclosure import services as disclosure_services
from lifecycle.shielding import shield_set
from team import exports as export_pages
from team.tests.test_disclosure_exports import _approved, _download, _rows
from tests.journeys import signed_in
from tests.personas import make_child, make_user

NEW_SERVICE = "Refuge outreach worker"


def _shield_and_new_service(world, child: Child) -> None:
    """In the instant after the release: the LA team shields the child, and the GP near the refuge
    records its involvement (the GP practice's name would tell where the child now lives)."""
    stored = Child.objects.get(pk=child.pk)
    shield_set(child=stored, by=world.lena, shielded=True, reason="Fled to a refuge")
    details = InvolvementDetails("Dr Example", NEW_SERVICE, world.south_gp.pk, started_on=date(2026, 1, 5))
    involvement_record(child=stored, by=world.bob, details=details)


def test_a_child_shielded_as_the_download_is_released_never_has_a_later_service_in_the_file(world):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    child = make_child(world)
    export = _approved(world, leo, [child], fields=("name", "address", "services"))
    real_release = disclosure_services.export_release

    def release_then_shield(**kwargs):
        released = real_release(**kwargs)
        _shield_and_new_service(world, child)
        return released

    with mock.patch.object(export_pages, "export_release", release_then_shield):
        response, passphrase = _download(signed_in(world.lena), export)
    assert response.status_code == 200
    text = "\n".join(",".join(row) for row in _rows(response.content, passphrase))
    assert NEW_SERVICE not in text and world.south_gp.name not in text
    assert "LS1 4AB" in text  # what the release audited as disclosed: the record as it was when counted
    assert Child.objects.get(pk=child.pk).shielded  # the shield stands, after the disclosure
