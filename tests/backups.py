"""What a stolen backup holds for one child, and how much of it still decrypts (synthetic data only).

Shared by the crypto-shredding tests (children) and the purge tests (lifecycle): both prove that a
backup taken before the keys were destroyed opens no field afterwards.
"""

import copy

from children.models import Carer, Child, Involvement
from vault.crypto import DecryptionFailed
from vault.keys import data_key_chain
from vault.sealing import Sealer


def backup_of(child: Child) -> dict:
    """The child's key rows and every sealed row, as stored now."""
    fresh = Child.objects.get(pk=child.pk)
    return {
        "keys": [copy.deepcopy(k) for k in data_key_chain(fresh.data_key)],
        "rows": [
            copy.deepcopy(fresh),
            *Carer.objects.filter(child=child),
            *Involvement.objects.filter(child=child),
        ],
    }


def decryptable_fields(backup: dict) -> tuple[int, int]:
    """(fields that decrypt, fields tried) trying every backed-up key on every sealed field."""
    opened = tried = 0
    for row in backup["rows"]:
        for column in type(row).SEALED:
            tried += 1
            for key in backup["keys"]:
                try:
                    Sealer(key).unseal(row, column)
                except DecryptionFailed:
                    continue
                opened += 1
                break
    return opened, tried
