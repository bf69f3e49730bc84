"""A move away and another difference at once: the one rule linkage adds to the engine's sum for addresses.

Pure (levels only, no Django), so feed linkage (`linkage.linking`), file linkage (`linkage.filelink`) and
national re-linkage on Splink (`linkage.national`) apply the same definition.
"""

from matching.scoring import EDIT_LEVEL, MatchScore

# Each field the same but for a slip. Names: any level that is evidence for the same child (a sound-alike,
# a typo, one letter out, a familiar form), not "partly similar" (jw_low, weight below zero: as common
# between strangers) or different. Date of birth: exact or day and month swapped; a date a digit or a
# year out is shared by 20 to 70 times more strangers (u 3.7e-3 and 2.8e-4 against 5e-5).
AGREES_DESPITE_A_SLIP = {
    "family_name": frozenset({"exact", "phonetic", "jw_high", "jw_mid", EDIT_LEVEL}),
    "given_name": frozenset({"exact", "nickname", "phonetic", "jw_high", "jw_mid", EDIT_LEVEL}),
    "dob": frozenset({"exact", "swapped"}),
}


def moved_and_more(match: MatchScore) -> bool:
    """The postcode is beyond the district and another field differs more than a slip: never auto-linked.

    A child who moved away has a new postcode and, but for a slip, the same name and date of birth: that
    is what the model learnt (fs-v3). With a looser agreement as well (a birthday a digit or a year out,
    a family name only partly alike, no given name), the fields summed as independent pass the acceptance
    threshold for namesakes elsewhere in the country just as well (national re-linkage at 50,000
    children: precision 0.98 without this rule, docs/BENCHMARKS.md). A person decides; national re-linkage, which has no
    review, does not accept such a pair (`linkage.national.moved_and_more_sql`).
    """
    if match.levels.get("postcode") != "else":
        return False
    return any(match.levels.get(name) not in levels for name, levels in AGREES_DESPITE_A_SLIP.items())
