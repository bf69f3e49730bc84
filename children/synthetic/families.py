"""One synthetic family: its children and carers, drawn from one random generator, with no database.

Rates are rough English figures, chosen so the features that matter to matching and to the rules
appear in every few thousand children: twins (~3% of children), unmarried parents and step-families
(children whose family name differs from a carer's, some with a former name), hyphenated and
double-barrelled names, lone parents, kinship and foster care, adoption, 'no known address' and
'left England', shielded families (~0.5% of children), deaths, and the services involved.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from children.records import (
    Address,
    AddressStatus,
    CarerDetails,
    ChildDetails,
    EducationalSetting,
    FormerName,
    Gender,
    InvolvementDetails,
    RecordingBasis,
    ReturnIntention,
    SensitiveCategory,
    SourceIdentifier,
)
from children.synthetic import names
from children.synthetic.contact import NHS_SCHEME, email_address, nhs_number_synthetic, phone_number
from children.synthetic.directory import LocalDirectory
from children.synthetic.places import address_lines, postcode

T = TypeVar("T")
YEAR = 365.25
FAMILY_SIZES = ((1, 45.0), (2, 38.0), (3, 12.0), (4, 4.0), (5, 1.0))
STRUCTURES = (
    ("couple", 62.0),
    ("lone_mother", 22.0),
    ("lone_father", 3.0),
    ("step", 8.0),
    ("kinship", 2.0),
    ("foster", 2.5),
    ("adoptive", 0.5),
)


@dataclass
class ChildSpec:
    """Everything needed to build one child's record (see children.services.child_build)."""

    local_authority_id: int
    details: ChildDetails
    carers: list[CarerDetails]
    involvements: list[InvolvementDetails] = field(default_factory=list)
    lead_involvement: int | None = None
    shielded: bool = False


@dataclass
class Traits:
    """Family-level choices, drawn before anything else so load_demo can force a showcase family."""

    structure: str
    twins: bool
    shielded: bool
    address_status: str
    child_in_need: bool
    compound_name: bool
    sensitive: bool = False


def _weighted(rng: random.Random, pairs: Sequence[tuple[T, float]]) -> T:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def draw_size(rng: random.Random) -> int:
    """The first draw of every family, so a stream can skip families cheaply."""
    return _weighted(rng, FAMILY_SIZES)


def draw_traits(rng: random.Random, size: int) -> Traits:
    structure = _weighted(rng, STRUCTURES)
    roll = rng.random()
    status = (
        AddressStatus.NO_KNOWN_ADDRESS
        if roll < 0.01
        else AddressStatus.LEFT_ENGLAND
        if roll < 0.025
        else AddressStatus.KNOWN
    )
    shielded = rng.random() < (0.3 if structure == "adoptive" else 0.0045)
    return Traits(
        structure=structure,
        twins=size >= 2 and rng.random() < 0.055,
        shielded=shielded,
        address_status=status,
        child_in_need=structure in ("foster", "adoptive") or rng.random() < 0.04,
        compound_name=rng.random() < 0.04,
    )


def _age(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _dates_of_birth(rng: random.Random, size: int, twins: bool, today: date, max_age: int) -> list[date]:
    """Siblings 1-5 years apart (twins 0), all under 18 today; oldest first."""
    gaps = [rng.randint(330, 1800) for _ in range(size - 1)]
    if twins:
        gaps[rng.randrange(len(gaps))] = 0
    while sum(gaps) > (max_age - 1) * YEAR:
        gaps = [g // 2 for g in gaps]
    span = sum(gaps)
    oldest_latest = today - timedelta(days=span)
    oldest = oldest_latest - timedelta(days=rng.randint(0, int((max_age + 1) * YEAR) - 2 - span))
    dobs = [oldest]
    for gap in gaps:
        dobs.append(dobs[-1] + timedelta(days=gap))
    return dobs


def _gender(rng: random.Random) -> str:
    roll = rng.random()
    return Gender.NOT_SPECIFIED if roll < 0.004 else Gender.FEMALE if roll < 0.49 else Gender.MALE


def _school_year(dob: date, today: date) -> int:
    """0 is reception (the September after a child turns four), 7 is the first year of secondary."""
    reception = dob.year + (4 if dob.month < 9 else 5)
    academic_year = today.year if today.month >= 9 else today.year - 1
    return academic_year - reception


@dataclass
class _Family:
    rng: random.Random
    local: LocalDirectory
    today: date
    traits: Traits
    address: Address
    carers: list[CarerDetails]
    family_name: str
    former_family_name: str | None
    gp_id: int | None
    schools: dict[str, int] = field(default_factory=dict)


class _FamilyBuilder:
    def __init__(self, rng: random.Random, local: LocalDirectory, today: date) -> None:
        self.rng = rng
        self.local = local
        self.today = today

    def person(self, gender: str, family_name: str) -> str:
        table = names.ADULT_WOMEN if gender == Gender.FEMALE else names.ADULT_MEN
        return f"{table.draw(self.rng)} {family_name}"

    def carer(
        self, relationship: str, name: str, *, responsibility: bool = True, lives_elsewhere: bool = False
    ) -> CarerDetails:
        rng = self.rng
        given, _, family = name.partition(" ")
        elsewhere = None
        if lives_elsewhere:
            lines = address_lines(rng, self.local.place, names.FAMILY_NAMES.draw(rng))
            elsewhere = f"{', '.join(lines)}, {postcode(rng, self.local.place)}"
        return CarerDetails(
            name=name,
            relationship=relationship,
            parental_responsibility=responsibility,
            phone=phone_number(rng, self.local.place) if rng.random() < 0.95 else None,
            email=email_address(rng, given, family) if rng.random() < 0.7 else None,
            address=elsewhere,
        )

    def address(self, status: str, stem: str) -> Address:
        rng = self.rng
        if status == AddressStatus.NO_KNOWN_ADDRESS:
            return Address(status=status)
        if status == AddressStatus.LEFT_ENGLAND:
            intention = str(
                _weighted(
                    rng,
                    (
                        (ReturnIntention.INTENDS_TO_RETURN, 5.0),
                        (ReturnIntention.DOES_NOT_INTEND, 3.0),
                        (ReturnIntention.UNKNOWN, 2.0),
                    ),
                )
            )
            return Address(status=status, return_intention=intention)
        place = self.local.place
        return Address(lines=address_lines(rng, place, stem), postcode=postcode(rng, place))

    def family(self, traits: Traits) -> _Family:
        """Carers and the family name the children carry, by family structure."""
        rng = self.rng
        draw = names.FAMILY_NAMES.draw
        mother_name, father_name = draw(rng), draw(rng)
        family_name, former = father_name, None
        carers: list[CarerDetails] = []
        structure = traits.structure
        if structure == "couple":
            married = rng.random() < 0.55
            mother_surname = father_name if married else mother_name
            if not married:
                family_name = str(
                    _weighted(
                        rng,
                        (
                            (father_name, 6.0),
                            (mother_name, 2.5),
                            (names.compound_family_name(rng, father_name, mother_name), 1.0),
                            (names.compound_family_name(rng, mother_name, father_name), 0.5),
                        ),
                    )
                )
            carers = [
                self.carer("mother", self.person(Gender.FEMALE, mother_surname)),
                self.carer("father", self.person(Gender.MALE, father_name)),
            ]
        elif structure == "lone_mother":
            family_name = mother_name if rng.random() < 0.75 else father_name
            carers = [self.carer("mother", self.person(Gender.FEMALE, mother_name))]
            if rng.random() < 0.5:
                carers.append(
                    self.carer(
                        "father",
                        self.person(Gender.MALE, father_name),
                        responsibility=rng.random() < 0.7,
                        lives_elsewhere=True,
                    )
                )
        elif structure == "lone_father":
            carers = [self.carer("father", self.person(Gender.MALE, father_name))]
        elif structure == "step":
            step_name = draw(rng)
            carers = [
                self.carer("mother", self.person(Gender.FEMALE, step_name)),
                self.carer("stepfather", self.person(Gender.MALE, step_name), responsibility=False),
            ]
            if rng.random() < 0.4:
                # Took the stepfather's name when their mother married: the old name stays on record.
                family_name, former = step_name, father_name
        elif structure == "kinship":
            carers = [self.carer("grandmother (special guardian)", self.person(Gender.FEMALE, mother_name))]
            family_name = mother_name
        elif structure == "foster":
            foster_name = draw(rng)
            carers = [
                self.carer("foster carer", self.person(Gender.FEMALE, foster_name), responsibility=False)
            ]
            if rng.random() < 0.6:
                carers.append(
                    self.carer("foster carer", self.person(Gender.MALE, foster_name), responsibility=False)
                )
        else:  # adoptive
            adoptive_name = draw(rng)
            carers = [
                self.carer("adoptive mother", self.person(Gender.FEMALE, adoptive_name)),
                self.carer("adoptive father", self.person(Gender.MALE, adoptive_name)),
            ]
            family_name, former = adoptive_name, father_name
        if traits.compound_name and " " not in family_name and "-" not in family_name:
            family_name = names.compound_family_name(rng, family_name, draw(rng))
        gp_id = rng.choice(self.local.gp_ids) if self.local.gp_ids and rng.random() < 0.98 else None
        stem = family_name.split("-")[0].split(" ")[0]
        return _Family(
            rng=rng,
            local=self.local,
            today=self.today,
            traits=traits,
            address=self.address(traits.address_status, stem),
            carers=carers,
            family_name=family_name,
            former_family_name=former,
            gp_id=gp_id,
        )


def _setting(family: _Family, dob: date) -> EducationalSetting | None:
    """Nursery, primary, secondary or sixth form by school year.

    Siblings share a school; a family that moved starts mid-year.
    """
    rng, today = family.rng, family.today
    if family.traits.address_status == AddressStatus.LEFT_ENGLAND:
        return None
    year = _school_year(dob, today)
    if year < -2 or (year < 0 and rng.random() < 0.5) or (year >= 12 and rng.random() < 0.3):
        return None
    if year >= 0 and rng.random() < 0.01:
        return None  # educated at home
    phase, first_year = (
        ("NUR", -2) if year < 0 else ("PRI", 0) if year < 7 else ("SEC", 7) if year < 12 else ("COL", 12)
    )
    options = family.local.setting(phase)
    if not options:
        return None
    if phase not in family.schools:
        family.schools[phase] = rng.choice(options)
    reception = dob.year + (4 if dob.month < 9 else 5)
    started = date(reception + first_year, 9, 1)
    if rng.random() < 0.08:
        started = min(today, started + timedelta(days=rng.randint(60, 900)))
    return EducationalSetting(family.schools[phase], min(started, today))


def _practitioner(family: _Family, role: str, organisation_id: int, started: date) -> InvolvementDetails:
    rng = family.rng
    gender = Gender.FEMALE if rng.random() < 0.75 else Gender.MALE
    table = names.ADULT_WOMEN if gender == Gender.FEMALE else names.ADULT_MEN
    given, family_name = table.draw(rng), names.FAMILY_NAMES.draw(rng)
    return InvolvementDetails(
        practitioner_name=f"{given} {family_name}",
        role=role,
        organisation_id=organisation_id,
        phone=phone_number(rng, family.local.place),
        email=email_address(rng, given, family_name),
        started_on=min(started, family.today),
    )


def _involvements(
    family: _Family, dob: date, age: int, setting: EducationalSetting | None, *, sensitive: bool
) -> tuple[list[InvolvementDetails], int | None]:
    """Services working with a child, the lead professional's position, if any."""
    rng, today, local = family.rng, family.today, family.local
    found: list[InvolvementDetails] = []
    lead: int | None = None
    hv = local.service("HV")
    if age < 5 and hv and rng.random() < 0.85:
        found.append(_practitioner(family, "Health visitor", hv, dob + timedelta(days=rng.randint(10, 14))))
    social_care = local.service("SC")
    if family.traits.child_in_need and social_care:
        started = today - timedelta(days=rng.randint(20, max(21, min(1100, (today - dob).days))))
        involvement = _practitioner(family, "Social worker", social_care, started)
        if rng.random() < 0.2 and family.traits.structure not in ("foster", "adoptive"):
            involvement.ended_on = min(today, started + timedelta(days=rng.randint(60, 400)))
        else:
            lead = len(found)
        found.append(involvement)
    if setting and age >= 4 and rng.random() < 0.08:
        role = str(
            _weighted(rng, (("Class teacher", 3.0), ("SENCO", 3.0), ("Designated safeguarding lead", 1.0)))
        )
        found.append(_practitioner(family, role, setting.organisation_id, setting.started_on or today))
        if lead is None and rng.random() < 0.25:
            lead = len(found) - 1
    school_nurse = local.service("SN")
    if setting and age >= 5 and school_nurse and rng.random() < 0.04:
        found.append(
            _practitioner(family, "School nurse", school_nurse, today - timedelta(days=rng.randint(7, 700)))
        )
    youth = local.service("YTH")
    if age >= 11 and youth and rng.random() < 0.04:
        found.append(
            _practitioner(family, "Youth worker", youth, today - timedelta(days=rng.randint(7, 700)))
        )
    police = local.service("POL")
    if age >= 10 and police and rng.random() < 0.007:
        found.append(
            _practitioner(
                family, "Police youth engagement officer", police, today - timedelta(days=rng.randint(7, 400))
            )
        )
    if sensitive or (age >= 12 and rng.random() < 0.03):
        category = (
            SensitiveCategory.MENTAL_HEALTH
            if sensitive
            else str(
                _weighted(
                    rng,
                    (
                        (SensitiveCategory.MENTAL_HEALTH, 4.5),
                        (SensitiveCategory.SEXUAL_HEALTH, 4.0 if age >= 13 else 0.0),
                        (SensitiveCategory.SUBSTANCE_MISUSE, 1.5),
                    ),
                )
            )
        )
        services = local.sensitive.get(category)
        if services:
            role = {
                SensitiveCategory.MENTAL_HEALTH: "Children's mental health practitioner",
                SensitiveCategory.SEXUAL_HEALTH: "Sexual health nurse",
                SensitiveCategory.SUBSTANCE_MISUSE: "Substance misuse worker",
            }[category]
            days = rng.randint(7, 400)
            involvement = _practitioner(family, role, services[0], today - timedelta(days=days))
            involvement.sensitive_category = category
            # Recorded only with consent or on reasonable cause to suspect significant harm (about one in
            # eight here): chosen from what was drawn already, so every later draw is as it was.
            involvement.recording_basis = (
                RecordingBasis.SIGNIFICANT_HARM if days % 8 == 0 else RecordingBasis.CONSENT
            )
            found.append(involvement)
    return found, lead


def family_generate(
    rng: random.Random, *, size: int, traits: Traits, local: LocalDirectory, today: date
) -> list[ChildSpec]:
    """The children of one family, oldest first, sharing address, carers, GP and schools."""
    builder = _FamilyBuilder(rng, local, today)
    family = builder.family(traits)
    dobs = _dates_of_birth(rng, size, traits.twins, today, max_age=17)
    if traits.sensitive:
        dobs[0] = today - timedelta(days=rng.randint(int(13 * YEAR), int(17 * YEAR)))
    specs: list[ChildSpec] = []
    given_so_far: list[str] = []
    for dob in dobs:
        gender = _gender(rng)
        given = names.child_given_names(rng, gender, exclude=given_so_far)
        given_so_far.append(given.split(" ")[0])
        age = _age(dob, today)
        former = [FormerName(given, family.former_family_name)] if family.former_family_name else []
        setting = _setting(family, dob)
        involvements, lead = _involvements(family, dob, age, setting, sensitive=traits.sensitive)
        died = None
        if rng.random() < 0.002 and (today - dob).days > 2:
            died = max(dob + timedelta(days=1), today - timedelta(days=rng.randint(1, 300)))
        identifiers = []
        if family.gp_id and rng.random() < 0.97:
            identifiers.append(SourceIdentifier(NHS_SCHEME, nhs_number_synthetic(rng), family.gp_id))
        details = ChildDetails(
            given_names=given,
            family_name=family.family_name,
            gender=gender,
            date_of_birth=dob,
            address=family.address,
            former_names=former,
            date_of_death=died,
            educational_setting=setting,
            gp_practice_id=family.gp_id,
            source_identifiers=identifiers,
            caf_completed=lead is not None and rng.random() < 0.7,
        )
        specs.append(
            ChildSpec(
                local_authority_id=local.la_id,
                details=details,
                carers=family.carers,
                involvements=involvements,
                lead_involvement=lead,
                shielded=traits.shielded,
            )
        )
    return specs
