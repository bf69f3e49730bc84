"""Rows for national re-linkage tests, and the same record as the one-record engine sees it, so that a
test can ask both engines about one pair."""

from datetime import date

from matching.identity import Identity

BORN = date(2015, 3, 4)


def relink_record(
    record_id: str,
    given: str | None,
    family: str,
    gender: str = "male",
    dob: date = BORN,
    postcode: str | None = "LS1 4AP",
) -> dict[str, object]:
    """A row as `linkage.national.national_relink` reads it (a given name or postcode empty or None: none)."""
    return {
        "record_id": record_id,
        "given": given,
        "family": family,
        "gender": gender,
        "dob": dob,
        "postcode": postcode,
    }


def record_identity(record: dict) -> Identity:
    """The row as `matching.scoring.score` compares it."""
    return Identity(
        family_names=(record["family"],),
        given_names=(record["given"],) if record["given"] else (),
        date_of_birth=record["dob"],
        gender=record["gender"],
        postcodes=(record["postcode"],) if record["postcode"] else (),
    )
