"""What the writer hashes is what the database gives back, for every JSON number it accepts.

`event_record` round-trips `additional` through JSON so that "the hashed value is exactly what is
stored". PostgreSQL's jsonb keeps numbers as `numeric`, which has no exponent and no negative zero:
1e+20 comes back as the integer 100000000000000000000 and -0.0 as 0. The leaf was hashed over the
float, verification recomputed it over the integer, and an untouched event was reported as `edited`
(a false alarm that buries real ones). The round trip now reads numbers as jsonb gives them back,
on both databases.
"""

import pytest
from django.conf import settings

from audit.checkpoints import checkpoint_create
from audit.models import AuditEvent
from audit.services import event_record
from audit.signing import signing_key
from audit.tags import AuditTag
from audit.verification import heads_load, log_verify

pytestmark = pytest.mark.django_db

NUMBERS = [1e20, 1.5e300, -0.0, 0.0, -0.5, 1.0, 0.1, 1e-7, 2.5e-10, -3.25, 2**70, -(2**63)]


@pytest.mark.parametrize("number", NUMBERS, ids=repr)
def test_an_event_holding_any_json_number_verifies_untouched(signed_log, number):
    event = event_record(tag=AuditTag.LoginFailed, actor=None, additional={"v": number, "list": [number]})
    checkpoint_create()
    report = log_verify(
        heads=heads_load(settings.AUDIT_HEAD_EXPORT_DIR), public_key=signing_key().public_key()
    )
    assert report.ok, [str(f) for f in report.findings]
    stored = AuditEvent.objects.get(pk=event.pk).additional
    assert stored == event.additional
    assert float(stored["v"]) == number  # the same number, whatever its JSON spelling
