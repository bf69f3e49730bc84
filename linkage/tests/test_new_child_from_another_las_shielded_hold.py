"""A shielded hold of a feed row from another LA: "new child" makes the record in the row's LA, shielded, and
hands it over.

North's team reviews a South row that resembles North's shielded child (a hold is the shielded child's LA
team's). "None of these" makes the record where the row says the child lives, South, whose team alone may
lift its shield and who cannot see North's child to check. So the page says where the record will be made
and who lifts its shield; the record's shield is audited as applied (`child:shield:applied`) with a reason
naming the LA whose team decided and asking South's team to ask it before lifting; South's team is emailed
(no personal data) to the record's audit, where that reason is shown to it; and North's decider is told
where the record went. A hold of North's own row is unchanged: the team that decided lifts the shield.
"""

import logging
from datetime import timedelta

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as OutboxBackend
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from feeds.tests.factories import feed_row, feed_rows_ingest, health_rows_ingest, health_source
from lifecycle.shielding import SHIELD_REASON_CONTEXT
from linkage.models import ClericalReview
from tests.journeys import signed_in
from tests.personas import make_user
from tests.review_pages import SHOWN
from vault.sealing import note_unseal

JASMINE = {
    "given_names": "Jasmine",
    "family_name": "Okafor",
    "date_of_birth": "2015-03-04",
    "nhs_number": None,
}


def _south_row_held_for_north(world):
    source = health_source(world, code="south-health", las=[world.south])
    feed_rows_ingest(source, [feed_row(local_authority="LA-S", **JASMINE)])
    review = ClericalReview.objects.get(shielded_hold=True)
    assert review.local_authority_id == world.north.pk
    return review


def _new_child_decided(user, review, capture):
    """Open the review as `user` and decide "new child" there, following the redirect (the message)."""
    client = signed_in(user)
    url = reverse("linkage:review", args=[review.pk])
    shown = SHOWN.findall(client.get(url).content.decode())
    with capture(execute=True):
        response = client.post(url, {"decision": "new_child", "shown": shown}, follow=True)
    return response.content.decode()


def _south_team(world):
    return make_user("stella", world.south, Role.LA_TEAM)


def test_the_page_says_the_new_record_is_the_rows_la_and_its_team_lifts_the_shield(world, shielded_child):
    review = _south_row_held_for_north(world)
    page = signed_in(world.lena).get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert "A new child made from it is a record of Southborough Council" in page
    assert "ask your team before lifting it" in page
    # Not the advice North's team cannot follow: it may not change another LA's shield.
    assert "lift the shield once you are sure" not in page


def test_new_child_records_the_shield_applied_with_a_reason_naming_the_deciding_la(
    world, shielded_child, django_capture_on_commit_callbacks
):
    review = _south_row_held_for_north(world)
    _new_child_decided(world.lena, review, django_capture_on_commit_callbacks)
    created = Child.objects.exclude(pk=shielded_child.pk).get()
    assert created.shielded and created.local_authority_id == world.south.pk
    applied = AuditEvent.objects.get(tag=AuditTag.ShieldApplied, child_id=created.pk)
    assert applied.actor_id == world.lena.pk
    assert applied.additional["review_id"] == str(review.pk)
    reason = note_unseal(
        created.data_key, context=SHIELD_REASON_CONTEXT, sealed=applied.additional["reason_sealed"]
    )
    assert "Northshire Council" in reason and "ask that team before lifting the shield" in reason


def test_the_record_las_team_reads_the_reason_in_the_records_audit(
    world, shielded_child, django_capture_on_commit_callbacks
):
    review = _south_row_held_for_north(world)
    _new_child_decided(world.lena, review, django_capture_on_commit_callbacks)
    created = Child.objects.exclude(pk=shielded_child.pk).get()
    report = signed_in(_south_team(world)).get(reverse("audit:child_access", args=[created.pk]))
    page = report.content.decode()
    assert "Shielded the record" in page and "ask that team before lifting the shield" in page
    assert "Northshire Council" in page
    # North's team (another LA) is not shown the record's audit.
    refused = signed_in(world.lena).get(reverse("audit:child_access", args=[created.pk]))
    assert "ask that team before lifting the shield" not in refused.content.decode()


def test_the_record_las_team_alone_is_emailed_with_no_personal_data(
    world, shielded_child, django_capture_on_commit_callbacks
):
    stella = _south_team(world)
    make_user("sid", world.south, Role.DATA_MANAGER)  # South, another role: not told
    make_user("lotte", world.north, Role.LA_TEAM)  # a team, another LA: not told
    lapsed = timezone.localdate() - timedelta(days=400)
    make_user("suki", world.south, Role.LA_TEAM, training_completed_on=lapsed)  # the team, training lapsed
    review = _south_row_held_for_north(world)
    mail.outbox.clear()
    _new_child_decided(world.lena, review, django_capture_on_commit_callbacks)
    created = Child.objects.exclude(pk=shielded_child.pk).get()
    assert [m.to for m in mail.outbox] == [[stella.email]]
    body = mail.outbox[0].body
    assert "created shielded" in body and "another local authority" in body
    assert reverse("audit:child_access", args=[created.pk]) in body
    for personal in ("Jasmine", "Okafor", "2015", "Northshire"):
        assert personal not in body


class MailServerDown(OutboxBackend):
    def open(self):
        raise ConnectionRefusedError("mail server down")


def test_an_email_not_sent_is_logged_naming_the_la_never_the_shielded_record(
    world, shielded_child, settings, caplog, django_capture_on_commit_callbacks
):
    """The log of a failed send, read outside the audited UI, said "record created shielded <its id>":
    which record is shielded. It names the LA whose team was to be told (what an operator needs)."""
    _south_team(world)
    review = _south_row_held_for_north(world)
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    with caplog.at_level(logging.WARNING, logger="notices.email"):
        _new_child_decided(world.lena, review, django_capture_on_commit_callbacks)
    created = Child.objects.exclude(pk=shielded_child.pk).get()
    assert created.shielded
    said = f"notification email not sent: record created shielded, for the LA team of {world.south.pk}"
    assert said in caplog.text
    for identifying in (str(created.pk), created.pk.hex, created.index_number):
        assert identifying not in caplog.text


def test_the_decider_is_told_where_the_record_went(world, shielded_child, django_capture_on_commit_callbacks):
    _south_team(world)
    review = _south_row_held_for_north(world)
    page = _new_child_decided(world.lena, review, django_capture_on_commit_callbacks)
    assert "The new record is Southborough Council" in page
    assert (
        "It was created shielded: its team is told, in the record&#x27;s audit and by email, to ask yours"
        in page
    )


def test_a_hold_of_the_teams_own_row_is_audited_and_its_team_lifts_the_shield(
    world, shielded_child, django_capture_on_commit_callbacks
):
    health_rows_ingest(world, [feed_row(**JASMINE)])
    review = ClericalReview.objects.get(shielded_hold=True)
    page = signed_in(world.lena).get(reverse("linkage:review", args=[review.pk])).content.decode()
    assert "lift the shield once you are sure it is not the shielded child" in page
    mail.outbox.clear()
    told = _new_child_decided(world.lena, review, django_capture_on_commit_callbacks)
    assert "The new record is" not in told
    created = Child.objects.exclude(pk=shielded_child.pk).get()
    assert created.shielded and created.local_authority_id == world.north.pk
    applied = AuditEvent.objects.get(tag=AuditTag.ShieldApplied, child_id=created.pk)
    reason = note_unseal(
        created.data_key, context=SHIELD_REASON_CONTEXT, sealed=applied.additional["reason_sealed"]
    )
    assert "lift the shield once you are sure it is not that child" in reason
    assert not mail.outbox  # the team decided it, on its own page
