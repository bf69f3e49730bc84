"""A correction decided as the nightly removal deletes its record is answered in words, not a server error.

An active record whose own key a merge or purge shredded and then failed is removed by the nightly run
(`lifecycle.removal.removal_complete`), and its pending corrections go with it. A decision sent at that
moment read the correction with `.get()` under the locks (`corrections.services._pending_locked`) and
failed with a server error; a complaint saved at that moment is answered in words (`ComplaintGone`). Now a
correction gone with its record is `CorrectionGone`: nothing written, the queue says why.
"""

from typing import Any

import pytest
from django.urls import reverse

import corrections.views
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import Child
from corrections.fields import field_for
from corrections.models import Correction
from corrections.services import CorrectionGone, correction_accept, correction_raise
from corrections.tests.deciding import accept_as_shown
from lifecycle.removal import removal_complete
from tests.journeys import signed_in
from vault.keys import data_key_shred
from vault.models import DataKey

REMOVED = "This correction&#x27;s record has been removed since you opened it: nothing was changed"


def _removed(child: Child) -> None:
    """A merge that failed after its shred left the record keyless; the nightly run removes it now."""
    data_key_shred(DataKey.objects.get(pk=Child.objects.get(pk=child.pk).data_key_id))
    assert removal_complete(child_id=child.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_a_decision_sent_as_the_record_is_removed_is_answered_in_words(world, child, monkeypatch, decision):
    correction = correction_raise(
        child=child, field=field_for("family_name"), value="Thorneton", reason="Seen", by=world.alice
    )
    body = accept_as_shown(correction) if decision == "accept" else {"decision": "reject", "reason": "No"}
    service = "correction_accept" if decision == "accept" else "correction_reject"
    real = getattr(corrections.views, service)

    def removed_first(*args: Any, **kwargs: Any) -> Any:
        _removed(child)
        return real(*args, **kwargs)

    monkeypatch.setattr(corrections.views, service, removed_first)

    response = signed_in(world.lena).post(
        reverse("corrections:decide", args=[correction.pk]), body, follow=True
    )

    assert response.status_code == 200, response.status_code
    assert response.redirect_chain[-1][0] == reverse("corrections:queue")
    assert REMOVED in response.content.decode()
    assert not Correction.objects.filter(pk=correction.pk).exists()
    assert not AuditEvent.objects.filter(
        tag__in=[AuditTag.CorrectionAccepted, AuditTag.CorrectionRejected]
    ).exists()


@pytest.mark.django_db
def test_the_service_says_the_correction_is_gone(world, child):
    correction = correction_raise(
        child=child, field=field_for("family_name"), value="Thorneton", reason="Seen", by=world.alice
    )
    loaded = Correction.objects.select_related("child__data_key").get(pk=correction.pk)
    _removed(child)
    with pytest.raises(CorrectionGone):
        correction_accept(correction=loaded, by=world.lena)
