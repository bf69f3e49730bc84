"""What a decision page sends (synthetic people only): an accept carries the token of the value its page
showed as what the record says (`corrections.services.correction_current_seen`), as the page's hidden
`shown` does; one sent without it is refused."""

from corrections.fields import current_value, field_for
from corrections.models import Correction
from corrections.services import correction_current_seen
from vault.sealing import Sealer


def accept_as_shown(correction: Correction) -> dict[str, str]:
    """The accept the decision page, opened now, sends: the detail's value as the record holds it now."""
    stored = Correction.objects.select_related("child__data_key").get(pk=correction.pk)
    named = field_for(stored.field)
    assert named is not None
    held = current_value(stored.child, named, Sealer(stored.child.data_key))
    return {"decision": "accept", "shown": correction_current_seen(stored, held)}
