"""Every decider is judged again with their organisation, as stored, in the transaction that writes.

`accounts.services.actor_able_locked` re-read only whether the account was closed or suspended: an LA
team member whose organisation was de-accredited or closed (or whose background check lapsed) after their
page passed the policy still merged two records, shielded one, accepted a correction, suspended a
colleague, invited an account or released an export, and the log credited someone the policy refuses
with it. Now it holds the organisation and runs the whole vetting (`accounts.vetting`) on both as stored:
`ActorCannotAct`, nothing written, and the page answers with the audited refusal saying why. (A training
pass keeps its narrower re-check: lapsed training is what it mends.)

Here the change is made on the same connection between the page's check and the write (either by hand,
or by patching the service the page calls); the races on two PostgreSQL sessions are in
`test_deciders_judged_with_their_organisation_races.py`.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

import corrections.views
import lifecycle.moves_views
import linkage.merge_views
import team.account_pages
from access.policy import export_approval_stands
from accounts.models import Organisation, OrganisationKind, Role, User
from accounts.services import ActorCannotAct, account_invite, account_suspend
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from children.records import AddressStatus
from children.selectors import child_details
from corrections.fields import field_for
from corrections.models import Complaint, Correction, CorrectionStatus
from corrections.services import complaint_record, correction_accept, correction_raise, correction_reject
from corrections.tests.deciding import accept_as_shown
from disclosure.models import DisclosureExport, LawfulBasis
from disclosure.services import export_decide, export_release, export_request
from disclosure.tests.downloads import file_built
from feeds.review import ReviewDecision, review_decide
from feeds.tests.factories import feed_row, health_rows_ingest
from lifecycle.models import Transfer
from lifecycle.moves import address_status_record, transfer_accept, transfer_request
from lifecycle.services import archive_age_record
from lifecycle.shielding import shield_set
from linkage.merging import child_merge
from linkage.models import ChildMerge, ClericalReview
from linkage.views import _decision_recheck
from tests.journeys import signed_in
from tests.personas import World, make_child, make_user
from training.course import Marked
from training.services import assessment_record

REASON = "Synthetic reason"


def _cut_off(world: World, person: User, how: str) -> None:
    """What an administrator (or the calendar) does to `person` after their page's check."""
    assert person.organisation_id is not None
    organisation = Organisation.objects.filter(pk=person.organisation_id)
    if how == "de-accredited":
        organisation.update(accredited_on=None)
    elif how == "organisation closed":
        organisation.update(closed_on=timezone.localdate())
    else:  # "background check lapsed"
        User.objects.filter(pk=person.pk).update(
            background_check_on=timezone.localdate() - timedelta(days=1200)
        )


CUT_OFF = ["de-accredited", "organisation closed", "background check lapsed"]
TOLD = {
    "de-accredited": (
        "organisation_not_accredited",
        "Your organisation is not accredited to use ContactPoint.",
    ),
    "organisation closed": ("organisation_closed", "Your organisation has been closed on ContactPoint."),
    "background check lapsed": (
        "background_check_lapsed",
        "Your enhanced background check has expired or is not recorded.",
    ),
}


def _pair(world: World) -> tuple[Child, Child]:
    survivor = make_child(world)
    duplicate = make_child(world, given_names="Amelia-Rose", family_name="Thorntone", postcode="LS6 1AA")
    return survivor, duplicate


def _raised(world: World, child: Child) -> Correction:
    family_name = field_for("family_name")
    assert family_name is not None
    return correction_raise(child=child, field=family_name, value="Thorneton", reason="Seen", by=world.alice)


def _possible_match(world: World) -> ClericalReview:
    row = feed_row(
        given_names="Amelia",
        family_name="Thornton",
        date_of_birth="2015-03-14",
        postcode="LS9 9ZZ",
        nhs_number=None,
    )
    health_rows_ingest(world, [row])
    return ClericalReview.objects.select_related("data_key", "submitted_by").get()


def _approved_for_lena(world: World) -> DisclosureExport:
    """Approved by Leo, of a team organisation of North (Lena's LA): cutting Lena's organisation off
    leaves his approval standing, so only her own vetting can stop the download."""
    leo = make_user("leo", world.north_social_care, Role.LA_TEAM)
    asked = export_request(
        by=world.lena,
        local_authority=world.north,
        lawful_basis=LawfulBasis.COURT_ORDER,
        reference="CO-2026-421",
        children=[make_child(world)],
        fields=["name"],
    )
    return export_decide(export=asked, by=leo, approve=True, reason="Order seen")


# Each decision: (prepare what it needs, then make it as `by`). Lena (North's LA team) decides.
Decision = Callable[[World, Any, User], Any]
DECISIONS: dict[str, tuple[Callable[[World], Any], Decision]] = {
    "shield": (make_child, lambda w, c, by: shield_set(child=c, by=by, shielded=True, reason=REASON)),
    "request a transfer": (
        make_child,
        lambda w, c, by: transfer_request(child=c, to_la=w.south, by=by, reason=REASON),
    ),
    "record no known address": (
        make_child,
        lambda w, c, by: address_status_record(child=c, by=by, status=AddressStatus.NO_KNOWN_ADDRESS),
    ),
    "record an archive age": (make_child, lambda w, c, by: archive_age_record(child=c, age=21, by=by)),
    "merge": (_pair, lambda w, pair, by: child_merge(survivor=pair[0], duplicate=pair[1], by=by)),
    "accept a correction": (
        lambda w: _raised(w, make_child(w)),
        lambda w, correction, by: correction_accept(correction=correction, by=by),
    ),
    "reject a correction": (
        lambda w: _raised(w, make_child(w)),
        lambda w, correction, by: correction_reject(correction=correction, by=by, reason="No"),
    ),
    "record a complaint": (
        make_child,
        lambda w, c, by: complaint_record(
            child=c,
            by=by,
            complainant="parent_carer",
            about="use",
            received_on=timezone.localdate(),
            summary="Asks who looked",
        ),
    ),
    "decide a review": (
        lambda w: (make_child(w), _possible_match(w)),
        lambda w, made, by: review_decide(
            review=made[1],
            decision=ReviewDecision.NOT_A_MATCH,
            by=by,
            child_id=None,
            recheck=_decision_recheck(by, ReviewDecision.NOT_A_MATCH),
        ),
    ),
    "suspend an account": (
        lambda w: None,
        lambda w, _, by: account_suspend(user=User.objects.get(pk=w.alice.pk), by=by, reason=REASON),
    ),
    "invite an account": (
        lambda w: None,
        lambda w, _, by: account_invite(
            by=by,
            username="newby",
            first_name="New",
            last_name="Example",
            email="newby@example.org",
            organisation=w.north_school,
            role=Role.PRACTITIONER,
            background_check_on=timezone.localdate(),
            training_completed_on=timezone.localdate(),
        ),
    ),
    "download an export": (
        _approved_for_lena,
        lambda w, export, by: export_release(
            export=export, by=by, approval_stands=export_approval_stands, build=file_built(by)
        ),
    ),
}


def _written() -> tuple[Any, ...]:
    """Everything these decisions write: the children, their requests, merges, corrections, complaints,
    reviews, accounts and exports, and the audit log."""
    return (
        sorted(Child.objects.values_list("pk", "status", "shielded", "archive_age", "updated_at")),
        Transfer.objects.count(),
        ChildMerge.objects.count(),
        sorted(Correction.objects.values_list("pk", "status")),
        Complaint.objects.count(),
        sorted(ClericalReview.objects.values_list("pk", "status")),
        sorted(User.objects.values_list("pk", "is_active", "suspended_at")),
        sorted(DisclosureExport.objects.values_list("pk", "downloads")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("how", CUT_OFF)
@pytest.mark.parametrize("decision", DECISIONS)
def test_a_decider_cut_off_since_their_page_checked_them_writes_nothing(world, decision, how):
    prepare, decide = DECISIONS[decision]
    made = prepare(world)
    as_read = User.objects.select_related("organisation").get(pk=world.lena.pk)  # the page's copy
    _cut_off(world, world.lena, how)
    before = _written()

    with pytest.raises(ActorCannotAct):
        decide(world, made, as_read)

    assert _written() == before


@pytest.mark.parametrize("decision", DECISIONS)
def test_a_decider_still_vetted_decides_as_before(world, decision):
    prepare, decide = DECISIONS[decision]
    made = prepare(world)
    before = AuditEvent.objects.count()
    decide(world, made, User.objects.select_related("organisation").get(pk=world.lena.pk))
    assert AuditEvent.objects.count() > before


@pytest.mark.parametrize("how", ["background check lapsed", "team organisation de-accredited"])
def test_an_accept_by_a_receiving_team_member_cut_off_meanwhile_moves_nothing(world, how):
    """Stella (South's team, in a team organisation of South) accepts a transfer; her background check
    lapsed, or her organisation was de-accredited, since her page checked her. (South itself closing is
    said as before: "Your local authority has been closed", `transfer_accept` False.)"""
    south_team = Organisation.objects.create(
        kind=OrganisationKind.SOCIAL_CARE,
        name="Southborough Children's Services",
        code="SC-S",
        local_authority=world.south,
        phone="0300 000 0000",
        email="sc-s@example.org",
        accredited_on=world.south.accredited_on,
    )
    stella = make_user("stella", south_team, Role.LA_TEAM)
    child = Child.objects.select_related("data_key").get(pk=make_child(world).pk)
    transfer_request(child=child, to_la=world.south, by=world.lena, reason=REASON)
    transfer = Transfer.objects.select_related("child__data_key").get(child=child)
    as_read = User.objects.get(pk=stella.pk)
    if how == "background check lapsed":
        _cut_off(world, stella, how)
    else:
        _cut_off(world, stella, "de-accredited")
    before = _written()

    with pytest.raises(ActorCannotAct):
        transfer_accept(transfer=transfer, by=as_read)

    assert _written() == before
    assert Child.objects.get(pk=child.pk).local_authority_id == world.north.pk


def _marked_pass() -> Marked:
    return Marked(asked=10, correct=10, wrong=())


def test_a_training_pass_is_never_refused_for_the_lapsed_training_it_mends(world):
    """Tom's training lapsed: that is what the course is for (the account guard sends him there), so his
    pass is recorded; the pass keeps its narrower re-check (closed or suspended only)."""
    assert assessment_record(user=world.tom, marked=_marked_pass(), pass_mark=8) is True
    assert User.objects.get(pk=world.tom.pk).training_current(timezone.localdate())


# The pages: (module and service the page calls, URL, what it posts, what must still be so afterwards).
def _merge_page(world: World) -> tuple[str, dict[str, str], Callable[[], bool]]:
    survivor, duplicate = _pair(world)
    url = reverse("linkage:merge_compare", args=[survivor.pk, duplicate.pk])
    return url, {"reason": REASON, "confirmed": "on"}, lambda: not ChildMerge.objects.exists()


def _shield_page(world: World) -> tuple[str, dict[str, str], Callable[[], bool]]:
    child = make_child(world)
    url = reverse("moves:shielding", args=[child.pk])
    data = {"reason": REASON, "confirm": "on", "change": "apply"}
    return url, data, lambda: not Child.objects.get(pk=child.pk).shielded


def _correction_page(world: World) -> tuple[str, dict[str, str], Callable[[], bool]]:
    child = make_child(world)
    correction = _raised(world, child)

    def unchanged() -> bool:
        stored = Correction.objects.get(pk=correction.pk)
        return stored.status == CorrectionStatus.PENDING and (
            child_details(Child.objects.get(pk=child.pk)).family_name == "Thornton"
        )

    return reverse("corrections:decide", args=[correction.pk]), accept_as_shown(correction), unchanged


def _suspend_page(world: World) -> tuple[str, dict[str, str], Callable[[], bool]]:
    url = reverse("team:suspend", args=[world.alice.pk])
    return url, {"reason": REASON}, lambda: User.objects.get(pk=world.alice.pk).suspended_at is None


PAGES: dict[str, tuple[object, str, Callable[[World], tuple[str, dict[str, str], Callable[[], bool]]]]] = {
    "merge": (linkage.merge_views, "child_merge", _merge_page),
    "shield": (lifecycle.moves_views, "shield_set", _shield_page),
    "accept a correction": (corrections.views, "correction_accept", _correction_page),
    "suspend an account": (team.account_pages, "account_suspend", _suspend_page),
}


@pytest.mark.parametrize("how", ["de-accredited", "organisation closed"])
@pytest.mark.parametrize("page", PAGES)
def test_the_page_of_a_decider_cut_off_on_the_way_says_why_and_writes_nothing(world, monkeypatch, page, how):
    """Lena's request passed the policy; her organisation was de-accredited (or closed) before the service
    wrote: the audited refusal page saying why, signed out, nothing written."""
    module, service, build = PAGES[page]
    url, data, unchanged = build(world)
    real = getattr(module, service)

    def cut_off_first(*args: Any, **kwargs: Any) -> Any:
        _cut_off(world, world.lena, how)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, service, cut_off_first)
    client = signed_in(world.lena)
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    response = client.post(url, data)

    assert response.status_code == 403, response.status_code
    reason, said = TOLD[how]
    assert said in response.content.decode()
    assert unchanged()
    audited = list(AuditEvent.objects.filter(pk__gt=mark).values_list("tag", "actor_id"))
    assert (AuditTag.AccessDenied, world.lena.pk) in audited
    refusal = AuditEvent.objects.filter(pk__gt=mark, tag=AuditTag.AccessDenied).get()
    assert refusal.additional["reason"] == reason
    assert "_auth_user_id" not in client.session
