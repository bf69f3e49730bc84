"""Who a record (or a search, or a feed row) is about, in the form the engine compares."""

from dataclasses import dataclass, field, replace
from datetime import date


@dataclass(frozen=True)
class Identity:
    family_names: tuple[str, ...] = ()
    given_names: tuple[str, ...] = ()
    date_of_birth: date | None = None
    gender: str | None = None
    postcodes: tuple[str, ...] = field(default=())
    # A stored record's previous postcodes (never a query's): filed and compared like `postcodes`, and
    # like them hidden for a shielded child (matching.blocking, matching.scoring).
    former_postcodes: tuple[str, ...] = field(default=())

    def current_names(self) -> "Identity":
        """This identity with its current names only (a stored record's first ones): without the former
        names a shielded child's restricted view withholds (`matching.blocking`, `matching.scoring`)."""
        return replace(self, family_names=self.family_names[:1], given_names=self.given_names[:1])

    @property
    def family_name(self) -> str | None:
        return self.family_names[0] if self.family_names else None

    @property
    def given_name(self) -> str | None:
        return self.given_names[0] if self.given_names else None
