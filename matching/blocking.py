"""Blocking keys: exact strings that candidate records must share with a query.

Keys are compound on purpose (phonetic surname + date of birth, postcode + date of birth, ...): each
is specific enough to be a small block, and the vault turns each into a keyed blind index, so the
database never holds a value that can be guessed offline. Keys derived from the address are marked
`hidden`: practitioner search must not find a shielded child through them.
"""

from dataclasses import dataclass
from datetime import date

from matching.identity import Identity
from matching.normalise import given_name_forms, name_variants, phonetic


@dataclass(frozen=True)
class BlockingKey:
    value: str
    hidden: bool = False


def dob_variants(dob: date) -> set[date]:
    """The date itself and its day/month transposition, when that is a real, different date."""
    variants = {dob}
    if dob.day <= 12 and dob.day != dob.month:
        # Both parts are at most 12, so the swapped date always exists.
        variants.add(dob.replace(month=dob.day, day=dob.month))
    return variants


def _family_codes(identity: Identity) -> set[str]:
    codes = set()
    for family in identity.family_names:
        for variant in name_variants(family):
            code = phonetic(variant)
            if code:
                codes.add(code)
    return codes


def _given_codes(identity: Identity) -> set[str]:
    codes = set()
    for given in identity.given_names[:1]:
        for form in given_name_forms(given):
            codes.add(phonetic(form))
    return {c for c in codes if c}


def _keys(identity: Identity, dobs: set[date]) -> set[BlockingKey]:
    family_codes = _family_codes(identity)
    given_codes = _given_codes(identity)
    keys: set[BlockingKey] = set()
    for dob in dobs:
        iso = dob.isoformat()
        keys |= {BlockingKey(f"fam-dob|{code}|{iso}") for code in family_codes}
        keys |= {BlockingKey(f"given-dob|{code}|{iso}") for code in given_codes}
        keys |= {BlockingKey(f"postcode-dob|{pc}|{iso}", hidden=True) for pc in identity.postcodes}
    keys |= {
        BlockingKey(f"fam-postcode|{code}|{pc}", hidden=True)
        for code in family_codes
        for pc in identity.postcodes
    }
    if identity.gender:
        keys |= {
            BlockingKey(f"fam-given-gender|{fc}|{gc}|{identity.gender}")
            for fc in family_codes
            for gc in given_codes
        }
    return keys


def record_keys(identity: Identity) -> set[BlockingKey]:
    """Every key a stored record is filed under (current and former names, current postcode)."""
    dobs = {identity.date_of_birth} if identity.date_of_birth else set()
    return _keys(identity, dobs)


def query_keys(identity: Identity) -> set[str]:
    """Keys to look up for a query; the query's date of birth is also tried day/month transposed."""
    dobs = dob_variants(identity.date_of_birth) if identity.date_of_birth else set()
    return {key.value for key in _keys(identity, dobs)}
