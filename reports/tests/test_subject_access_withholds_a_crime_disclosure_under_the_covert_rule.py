"""Subject access: a disclosure for the prevention or detection of crime is part of a covert enquiry.

The covert-enquiry rule (on by default) withholds a police officer's views of the child so the report
handed to the family does not tip off an enquiry; the download of an export disclosed "for the prevention
or detection of crime" was still listed, dated ("Disclosure: The prevention or detection of crime"),
telling the family (who may be the suspects) the same thing. Now it is withheld with the rule on, and
listed, counted as disclosed, with it switched off.
"""

from disclosure.models import DisclosureExport, ExportStatus, LawfulBasis
from reports.subject_access import subject_access_report
from team.tests.test_disclosure_exports import _decide, _download, _request, leo, two_children  # noqa: F401
from tests.journeys import signed_in

CRIME = "Disclosure: The prevention or detection of crime"


def _disclosed(world, leo, children, basis):  # noqa: F811
    assert _request(signed_in(world.lena), children, lawful_basis=basis).status_code == 302
    export = DisclosureExport.objects.get()
    assert _decide(signed_in(leo), export).status_code == 302
    export.refresh_from_db()
    assert export.status == ExportStatus.APPROVED
    response, _ = _download(signed_in(world.lena), export)
    assert response.status_code == 200


def test_a_crime_disclosure_is_withheld_under_the_covert_rule(world, leo, two_children):  # noqa: F811
    _disclosed(world, leo, two_children, LawfulBasis.CRIME)
    report = subject_access_report(
        child=two_children[0], produced_by=leo, reference="SAR-1", withhold_covert=True
    )
    assert CRIME not in [a.purpose for a in report.accesses]
    assert report.withheld_covert >= 1


def test_with_the_rule_switched_off_it_is_listed_and_counted_as_disclosed(world, leo, two_children):  # noqa: F811
    _disclosed(world, leo, two_children, LawfulBasis.CRIME)
    report = subject_access_report(
        child=two_children[0], produced_by=leo, reference="SAR-1", withhold_covert=False
    )
    assert CRIME in [a.purpose for a in report.accesses]
    assert report.covert_disclosed >= 1


def test_a_disclosure_on_another_basis_is_listed_under_the_rule(world, leo, two_children):  # noqa: F811
    _disclosed(world, leo, two_children, LawfulBasis.COURT_ORDER)
    report = subject_access_report(
        child=two_children[0], produced_by=leo, reference="SAR-1", withhold_covert=True
    )
    assert "Disclosure: A court order or another requirement of law" in [a.purpose for a in report.accesses]
