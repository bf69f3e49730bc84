"""Pure generation: deterministic for a seed, seekable, and realistic enough to exercise the rules."""

import itertools
from collections import Counter
from datetime import date

import nhs_number
import phonenumbers
import pytest

from children.records import AddressStatus, Gender, RecordingBasis, ReturnIntention
from children.synthetic.contact import EMAIL_DOMAINS
from children.synthetic.stream import children_stream
from children.tests.synthetic_support import offline_directory

TODAY = date(2026, 11, 25)
SAMPLE = 3000


def _take(n, **kwargs):
    kwargs.setdefault("seed", 11)
    return list(itertools.islice(children_stream(directory=offline_directory(), today=TODAY, **kwargs), n))


def _fingerprint(spec):
    d = spec.details
    return (spec.local_authority_id, d.sealed_values(), [c.sealed_values() for c in spec.carers],
            [i.sealed_values() for i in spec.involvements], spec.lead_involvement, spec.shielded)  # fmt: skip


def _age(dob):
    return TODAY.year - dob.year - ((TODAY.month, TODAY.day) < (dob.month, dob.day))


@pytest.fixture(scope="module")
def sample():
    return _take(SAMPLE)


def test_the_same_seed_gives_the_same_children():
    assert [_fingerprint(s) for s in _take(200)] == [_fingerprint(s) for s in _take(200)]


def test_a_different_seed_gives_different_children():
    assert [_fingerprint(s) for s in _take(50)] != [_fingerprint(s) for s in _take(50, seed=12)]


def test_skipping_resumes_exactly_where_an_earlier_run_stopped():
    whole = [_fingerprint(s) for s in _take(120)]
    for skip in (1, 37, 100):
        assert [_fingerprint(s) for s in _take(20, skip=skip)] == whole[skip : skip + 20]


def test_every_child_is_under_eighteen_and_every_age_appears(sample):
    ages = Counter(_age(s.details.date_of_birth) for s in sample)
    assert set(ages) == set(range(18))


def test_twins_share_a_date_of_birth_address_and_carers(sample):
    pairs = [
        (a, b)
        for a, b in itertools.pairwise(sample)
        if a.details.date_of_birth == b.details.date_of_birth
        and a.details.address == b.details.address
        and a.carers == b.carers
    ]
    assert len(pairs) >= SAMPLE * 0.01
    assert all(a.details.given_names.split()[0] != b.details.given_names.split()[0] for a, b in pairs)


def test_siblings_share_an_address_and_carers_but_not_a_birthday(sample):
    siblings = [
        (a, b)
        for a, b in itertools.pairwise(sample)
        if a.carers is b.carers and a.details.date_of_birth != b.details.date_of_birth
    ]
    assert len(siblings) > SAMPLE * 0.2
    assert all(a.details.address == b.details.address for a, b in siblings)


def test_hyphenated_and_double_barrelled_family_names_occur(sample):
    names = [s.details.family_name for s in sample]
    assert sum("-" in n for n in names) > SAMPLE * 0.01
    assert sum(" " in n for n in names) > 0
    assert sum("'" in n for n in names) > 0


def test_common_names_are_common_and_rare_names_rare(sample):
    family = Counter(s.details.family_name for s in sample)
    assert family.most_common(1)[0][0] in {"Smith", "Jones", "Williams", "Taylor", "Brown"}
    firsts = Counter(s.details.given_names.split()[0] for s in sample)
    assert firsts["Olivia"] + firsts["Oliver"] > firsts["Tadhg"] + firsts["Chiamaka"]


def test_about_one_child_in_two_hundred_is_shielded(sample):
    fraction = sum(s.shielded for s in sample) / SAMPLE
    assert 0.001 <= fraction <= 0.015


def test_some_children_have_no_known_address_or_have_left_england_with_an_intention(sample):
    statuses = Counter(s.details.address.status for s in sample)
    assert statuses[AddressStatus.NO_KNOWN_ADDRESS] > 0
    assert statuses[AddressStatus.LEFT_ENGLAND] > 0
    left = [s.details.address for s in sample if s.details.address.status == AddressStatus.LEFT_ENGLAND]
    assert all(a.return_intention in ReturnIntention.LABELS and a.postcode is None for a in left)


def test_some_children_have_died_after_birth_and_before_today(sample):
    dead = [s.details for s in sample if s.details.date_of_death]
    assert dead
    assert all(d.date_of_birth < d.date_of_death <= TODAY for d in dead)


def test_genders_include_a_few_not_specified(sample):
    genders = Counter(s.details.gender for s in sample)
    assert genders[Gender.FEMALE] > SAMPLE * 0.4 and genders[Gender.MALE] > SAMPLE * 0.4
    assert 0 < genders[Gender.NOT_SPECIFIED] < SAMPLE * 0.02


def test_some_children_carry_a_former_name(sample):
    with_former = [s.details for s in sample if s.details.former_names]
    assert with_former
    assert all(d.former_names[0].family_name != d.family_name for d in with_former)


def test_nhs_numbers_are_valid_and_in_the_range_never_issued(sample):
    numbers = [i.value for s in sample for i in s.details.source_identifiers]
    assert len(numbers) > SAMPLE * 0.9
    assert all(nhs_number.is_valid(n) and n.startswith("999") for n in numbers)


def test_carer_phones_are_valid_uk_numbers_and_emails_use_example_domains(sample):
    carers = [c for s in sample for c in s.carers]
    phones = [c.phone for c in carers if c.phone]
    assert phones and all(phonenumbers.is_valid_number(phonenumbers.parse(p, "GB")) for p in phones)
    emails = [c.email for c in carers if c.email]
    assert emails and all(e.rsplit("@", 1)[1] in EMAIL_DOMAINS for e in emails)


def test_school_children_have_a_setting_with_a_start_date_after_age_two(sample):
    schooled = [s.details for s in sample if 6 <= _age(s.details.date_of_birth) <= 15]
    with_setting = [d for d in schooled if d.educational_setting]
    assert len(with_setting) > len(schooled) * 0.9
    assert all(
        _age(d.date_of_birth) >= 0 and d.educational_setting.started_on.year - d.date_of_birth.year >= 2
        for d in with_setting
    )


def test_practitioners_of_several_kinds_are_involved_and_some_have_ceased(sample):
    roles = Counter(i.role for s in sample for i in s.involvements)
    assert {"Health visitor", "Social worker", "Youth worker"} <= set(roles)
    assert any(role in roles for role in ("Class teacher", "SENCO", "Designated safeguarding lead"))
    assert any(i.ended_on for s in sample for i in s.involvements)


def test_sensitive_involvements_name_a_category_and_a_sensitive_service(sample):
    directory = offline_directory()
    sensitive_ids = {i for local in directory.las for ids in local.sensitive.values() for i in ids}
    found = [i for s in sample for i in s.involvements if i.sensitive_category]
    assert found
    assert all(i.organisation_id in sensitive_ids for i in found)
    assert all(i.recording_basis in RecordingBasis.ALL for i in found)  # consent or significant harm
    assert all(i.recording_basis is None for s in sample for i in s.involvements if not i.sensitive_category)


def test_a_lead_professional_points_at_a_current_involvement(sample):
    leads = [s for s in sample if s.lead_involvement is not None]
    assert leads
    assert all(s.involvements[s.lead_involvement].ended_on is None for s in leads)


def test_the_showcase_opens_with_twins_a_shielded_child_and_a_sensitive_case():
    first = _take(4, showcase=True)
    assert first[0].details.date_of_birth == first[1].details.date_of_birth
    assert "-" in first[0].details.family_name or " " in first[0].details.family_name
    assert first[2].shielded
    assert any(i.sensitive_category for i in first[3].involvements)
