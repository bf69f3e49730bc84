"""A disclosure file never tells its recipient that a child took a new identity.

A record is closed only when the LA team creates a new identity for the child (adoption, witness
protection, a risk of harm). The file goes outside the system, to a court or the police, and said of a
child closed since the request "Withheld: record closed since the request": the recipient learnt that
the child named in their order now lives under another identity, the very link the domain says is never
shown. The file now withholds it in the words it uses for a record removed, which say nothing of why.
"""

from datetime import date

from accounts.models import Role
from children.models import Child
from children.records import ChildDetails
from lifecycle.identity import new_identity_create
from team.disclosure_file import WITHHELD_REMOVED
from team.tests.test_disclosure_exports import _approved, _download, _rows
from tests.journeys import signed_in
from tests.personas import make_child, make_user


def test_a_record_closed_for_a_new_identity_since_the_request_is_withheld_without_saying_so(world):
    leo = make_user("leo", world.north, Role.LA_TEAM)  # approves lena's request; here he closes the record
    closed = make_child(world)
    kept = make_child(world, given_names="Kai", family_name="Lindqvist", postcode="LS2 7EW")
    export = _approved(world, leo, [closed, kept], fields=("name", "date_of_birth"))
    details = ChildDetails(
        given_names="Rowan", family_name="Ashdown", date_of_birth=date(2015, 3, 4), gender="female"
    )
    new_identity_create(
        old=Child.objects.get(pk=closed.pk), by=leo, category="adoption", details=details, shielded=False
    )

    response, passphrase = _download(signed_in(world.lena), export)

    assert response.status_code == 200
    rows = _rows(response.content, passphrase)
    text = "\n".join(",".join(row) for row in rows).casefold()
    for telling in ("closed", "identity", "adopt", "rowan", "ashdown"):
        assert telling not in text
    by_index = {row[0]: row[1:] for row in rows[1:]}
    assert by_index[closed.index_number] == [WITHHELD_REMOVED] * 2
    assert by_index[kept.index_number][0] == "Kai Lindqvist"  # the rest of the file is released
