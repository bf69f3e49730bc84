"""The columns Splink compares, derived with the engine's own normalisation (one definition).

Training (`manage.py train_matcher`) and national re-linkage (`linkage.national`) both feed Splink rows
built here, so the SQL comparison levels in the saved model see exactly what the in-process scorer sees.
Pure: no Django, no Splink.
"""

from datetime import date
from typing import Any

from matching.normalise import fold, phonetic, postcode_outward, postcode_sector
from matching.scoring import compared_formal_forms, compared_forms


def splink_row(
    *, unique_id: int | str, given: str, family: str, gender: str | None, dob: date | None, postcode: str
) -> dict[str, Any]:
    given_first = given.split(" ")[0] if given else ""
    # The forms the scorer compares (`matching.scoring.compared_forms`): never a one-letter part, the O of
    # O'Brien and O'Neil, which made two family names "exact" (and the D of D'Angelo and D'Arcy two given
    # names familiar forms) in the Splink levels while the in-process scorer told them apart.
    family_forms = sorted(compared_forms(family))
    given_forms = sorted(compared_forms(given)) if given else []
    return {
        "unique_id": unique_id,
        "family_name": fold(family) or None,
        "family_name_forms": family_forms,
        "family_name_phon": sorted({phonetic(f) for f in family_forms}),
        "family_key": phonetic(family),
        "given_name": fold(given_first) or None,
        "given_name_forms": given_forms,
        "given_name_formal": sorted(compared_formal_forms(given)) if given else [],
        "given_name_phon": sorted({phonetic(f) for f in given_forms}),
        "dob": dob.strftime("%Y%m%d") if dob else None,
        "dob_year": dob.year if dob else None,
        "dob_md": dob.strftime("%m%d") if dob else None,
        "dob_dm": dob.strftime("%d%m") if dob else None,
        "dob_ym": dob.strftime("%Y%m") if dob else None,
        "postcode": postcode or None,
        "sector": postcode_sector(postcode) if postcode else None,
        "district": postcode_outward(postcode) if postcode else None,
        "gender": gender if gender in ("female", "male") else None,
    }
