"""When a record is archived and when it is purged: pure date arithmetic, no database, no keys.

Kept apart from the job so every rule can be tested on its own and read in one screen (domain.md,
Lifecycle): archive at 18 or the recorded archive age (up to 25); archive 1 year after a recorded
death; purge 6 years after archive. A data manager reads the archive in its first year only.
"""

from dataclasses import dataclass
from datetime import date

from accounts.dates import years_after
from children.models import ARCHIVE_AGE_DEFAULT, ARCHIVE_AGE_LIMIT

YEARS_AFTER_DEATH = 1
YEARS_UNTIL_PURGE = 6
YEARS_OPEN_TO_DATA_MANAGER = 1


class ArchiveRule:
    """Why a record was archived: a code, never shown in clear outside the child's own sealed notes."""

    AGE = "age"
    DEATH = "death"


def archive_age_in_force(recorded: int) -> int:
    """The age that applies: the recorded age, held to 18..25 whatever a bypassed write stored.

    The service refuses an age outside that range; this guard means a bad row can shorten a record's
    life to 25 but never lengthen it.
    """
    return min(max(recorded, ARCHIVE_AGE_DEFAULT), ARCHIVE_AGE_LIMIT)


@dataclass(frozen=True)
class ArchiveDue:
    on: date
    rule: str


def archive_due(*, date_of_birth: date, archive_age: int, date_of_death: date | None) -> ArchiveDue:
    """The earlier of the birthday at the archive age and one year after a recorded death."""
    by_age = ArchiveDue(years_after(date_of_birth, archive_age_in_force(archive_age)), ArchiveRule.AGE)
    if date_of_death is None:
        return by_age
    by_death = ArchiveDue(years_after(date_of_death, YEARS_AFTER_DEATH), ArchiveRule.DEATH)
    return by_death if by_death.on < by_age.on else by_age


def purge_due(archived_on: date) -> date:
    return years_after(archived_on, YEARS_UNTIL_PURGE)


def data_manager_window_ends(archived_on: date) -> date:
    """First day on which a data manager needs a statutory reason to open the archived record."""
    return years_after(archived_on, YEARS_OPEN_TO_DATA_MANAGER)
