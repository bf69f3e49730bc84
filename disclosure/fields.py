"""The allow-list of fields an export may carry: each chosen one by one, never "everything".

The index number is always the first column (it is what the request named). Nothing else is
implied. Left out on purpose, whatever is asked: source identifiers (they belong to the body that
issued them), sensitive services (the LA team brokers contact instead), former names and the link
between a birth and an adoptive identity. A shielded child's export carries only what any
practitioner may see of it (name, gender, date of birth); every field that could locate the child
(address, school, GP, carers, services) or say more about it (CAF, lead professional) reads `SHIELDED_WITHHELD`, and no rule here lifts that.
"""

EXPORT_FIELDS: dict[str, str] = {
    "name": "Name",
    "date_of_birth": "Date of birth",
    "gender": "Gender",
    "address": "Address",
    "educational_setting": "Educational setting",
    "gp_practice": "GP practice",
    "carers": "Parents and carers (name, relationship and contact details)",
    "services": "Services involved (role, organisation and dates; never sensitive services)",
    "lead_professional": "Whether a lead professional is recorded",
    "caf_completed": "Whether a Common Assessment (CAF) has been completed",
}

# What any practitioner sees of a shielded record: these alone are filled in for a shielded child.
SHIELDED_VISIBLE = frozenset({"name", "date_of_birth", "gender"})
SHIELDED_WITHHELD = "Withheld: shielded record"


def field_labels(keys: list[str]) -> list[str]:
    return [EXPORT_FIELDS[key] for key in keys if key in EXPORT_FIELDS]
