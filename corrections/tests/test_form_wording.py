"""Every kind of correction form words its errors the GOV.UK way (the project-wide walk builds one kind)."""

import pytest

from corrections.fields import CHILD_FIELDS, carer_field
from corrections.forms import CorrectionForm
from tests.test_form_wording import DJANGO_DEFAULTS, _answers, _messages

FIELDS = [*CHILD_FIELDS, carer_field(0, "phone"), carer_field(0, "email")]


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.key)
def test_every_kind_of_correction_form_shows_govuk_messages(world, field):
    def build(data):
        return CorrectionForm(data, field=field, organisations=[(str(world.north_school.pk), "School")])

    seen = []
    for answers in _answers(build({}).fields):
        for message in _messages(build(answers)):
            seen.append(message)
            assert not any(message.startswith(d) for d in DJANGO_DEFAULTS), (field.key, message)
            assert not message.endswith("."), (field.key, message)
    assert seen
