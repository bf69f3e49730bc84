"""Two renewals of one account's background check, or a renewal and the recorder's suspension, at the
same moment (PostgreSQL, two real sessions): the account's row is locked and the held date read again
under it, so a later check recorded first is never taken back by an earlier one; and a suspension of the
recorder committed first stops the renewal."""

from datetime import timedelta

from django.utils import timezone

from accounts import services
from accounts.models import Role, User
from accounts.services import ActorCannotAct, BackgroundCheckRecord, background_check_record
from audit.models import AuditEvent
from audit.tags import AuditTag
from tests.concurrency import WAITED, paused_for, postgresql_race, waiting_at_most
from tests.personas import make_user

pytestmark = postgresql_race()


def _recording(world, checked_on, by):
    as_read = User.objects.get(pk=world.alice.pk)  # each page's own copy, read before the race

    def record():
        try:
            return background_check_record(user=as_read, checked_on=checked_on, by=by)
        except ActorCannotAct:
            return "cannot act"

    return record


def test_a_later_check_recorded_first_is_not_taken_back_by_an_earlier_one(world, monkeypatch):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    today = timezone.localdate()

    earlier, later = paused_for(
        monkeypatch,
        services,
        "_accounts_locked",
        read=_recording(world, today - timedelta(days=1), world.lena),
        write=_recording(world, today, leo),
        before=True,
    )

    assert later is BackgroundCheckRecord.RECORDED
    assert earlier is BackgroundCheckRecord.EARLIER_THAN_HELD
    assert User.objects.get(pk=world.alice.pk).background_check_on == today
    assert AuditEvent.objects.filter(tag=AuditTag.BackgroundCheckRecorded).count() == 1


def test_a_renewal_arriving_while_another_is_written_waits_for_it(world, monkeypatch):
    leo = make_user("leo", world.north, Role.LA_TEAM)
    today = timezone.localdate()

    first, second = paused_for(
        monkeypatch,
        services,
        "_accounts_locked",
        read=_recording(world, today - timedelta(days=1), world.lena),
        write=waiting_at_most(_recording(world, today, leo)),
    )

    assert first is BackgroundCheckRecord.RECORDED and second == WAITED
    assert User.objects.get(pk=world.alice.pk).background_check_on == today - timedelta(days=1)


def test_a_recorder_suspended_just_before_the_write_records_nothing(world, monkeypatch):
    held = world.alice.background_check_on

    recorded, suspended = paused_for(
        monkeypatch,
        services,
        "_accounts_locked",
        read=_recording(world, timezone.localdate(), world.lena),
        write=lambda: User.objects.filter(pk=world.lena.pk).update(suspended_at=timezone.now()),
        before=True,
    )

    assert suspended == 1 and recorded == "cannot act"
    assert User.objects.get(pk=world.alice.pk).background_check_on == held
    assert not AuditEvent.objects.filter(tag=AuditTag.BackgroundCheckRecorded).exists()
