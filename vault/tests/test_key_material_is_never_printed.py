"""A data key's plaintext never appears in how its object prints.

`vault.keys.NewDataKey` (a fresh DEK and its wrapped form, what `child_create` and the bulk loaders hold
while they seal a record) was a dataclass with the default printing: `repr` and `str` showed the DEK's
bytes. One log call of it, an error report showing a frame's variables (Django's debug page does), or a
test's failure output, and that child's every sealed field could be read by anyone holding the log and
a copy of the database; the log filter knows personal values, not keys. A new child as sealed
(`children.services.SealedChild`, which carries its `NewDataKey`) printed the DEK the same way.
"""

import base64
from datetime import date

from children.records import ChildDetails
from children.services import child_seal
from vault.keys import data_key_build, data_key_new
from vault.logging import redact


def _forms_of(secret: bytes) -> list[str]:
    return [
        repr(secret)[2:-1],  # how bytes print inside a repr
        secret.hex(),
        base64.b64encode(secret).decode(),
    ]


def test_a_new_data_key_prints_its_id_and_kek_version_but_never_its_dek():
    new = data_key_new()
    for text in (repr(new), str(new), f"{new}", redact(f"made {new!r}")):
        assert str(new.id) in text and "kek_version=1" in text
        for form in _forms_of(new.dek):
            assert form not in text, text


def test_a_built_data_key_and_its_model_row_print_no_dek_either():
    key, dek = data_key_build()
    assert key.dek == dek  # carried for the insert, so it may be re-wrapped under a newer KEK
    for text in (repr(key), str(key)):
        for form in _forms_of(dek):
            assert form not in text, text


def test_a_new_child_as_sealed_prints_no_dek_of_its_key():
    sealed = child_seal(
        details=ChildDetails(
            given_names="Zephyrinella",
            family_name="Quillbottom",
            gender="female",
            date_of_birth=date(2015, 3, 4),
        )
    )
    text = repr(sealed)
    assert str(sealed.key.id) in text
    for form in _forms_of(sealed.key.dek):
        assert form not in text
