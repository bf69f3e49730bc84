"""The search mix of the load bench, shared by locustfile.py and profile_search.py (no Django, no locust).

Family name + DOB 35%, + postcode 15%, + given name and gender 20%, a typo'd family name (and half
the time the day and month transposed) + DOB 15%, a family name nobody has 10%, and a shielded
child searched by postcode 5% (which must find nothing).
"""

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent.parent / "var" / "bench-load"
NOBODY = ("Quarrendon", "Zebedayo", "Vantongeren", "Hollisworth", "Pemberthy")
KINDS = ["dob"] * 35 + ["postcode"] * 15 + ["given"] * 20 + ["typo"] * 15 + ["nobody"] * 10 + ["shielded"] * 5


class People:
    def __init__(self) -> None:
        people: list[dict[str, Any]] = json.loads((OUT / "people.json").read_text())
        self.plain = [p for p in people if not p["shielded"]]
        self.shielded = [p for p in people if p["shielded"] and p["postcode"]] or self.plain


def _typo(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _dob_fields(dob: date) -> dict[str, str]:
    return {"dob_day": str(dob.day), "dob_month": str(dob.month), "dob_year": str(dob.year)}


def search_form(rng: random.Random, people: People) -> tuple[str, dict[str, str]]:
    """One search of the mix: (kind, the search form's fields)."""
    kind = rng.choice(KINDS)
    person = rng.choice(people.shielded if kind == "shielded" else people.plain)
    dob = date.fromisoformat(person["dob"])
    form = {"family_name": person["family"]}
    if kind == "dob":
        form |= _dob_fields(dob)
    elif kind in ("postcode", "shielded"):
        form["postcode"] = person["postcode"] or "LS1 4AP"
    elif kind == "given":
        form |= {"given_name": person["given"], "gender": person["gender"]}
    elif kind == "typo":
        transposed = dob.replace(day=dob.month, month=dob.day) if dob.day <= 12 else dob
        # Never into the future: the form rightly refuses that date, and no search would run.
        if transposed <= date.today() and rng.random() < 0.5:
            dob = transposed
        form = {"family_name": _typo(rng, person["family"])} | _dob_fields(dob)
    else:
        form = {"family_name": rng.choice(NOBODY)} | _dob_fields(dob)
    return kind, form
