"""Synthetic children saved through the real services: sealed, searchable, linked to real organisations."""

import itertools
from datetime import date

import pytest

from accounts.models import Organisation, OrganisationKind, Role
from children import index_number
from children.models import Child, Involvement
from children.search import SearchCriteria, child_search_matches
from children.selectors import child_record
from children.synthetic.directory import directory_ensure, directory_load
from children.synthetic.loader import children_generate
from children.synthetic.stream import children_stream
from tests.journeys import signed_in
from tests.personas import make_user

TODAY = date(2026, 11, 25)
COUNT = 150


@pytest.fixture
def directory(db):
    directory_ensure()
    return directory_load()


@pytest.fixture
def loaded(directory):
    children_generate(count=COUNT, seed=21, directory=directory, today=TODAY, batch_size=40)
    return list(itertools.islice(children_stream(seed=21, directory=directory, today=TODAY), COUNT))


def test_every_demo_la_has_accredited_schools_gps_and_services(directory):
    assert len(directory.las) == 4
    for local in directory.las:
        assert {"NUR", "PRI", "SEC", "COL"} <= set(local.settings)
        assert local.gp_ids and {"HV", "SC", "POL", "YTH", "SN"} <= set(local.services)
        assert len(local.sensitive) == 3
    assert not Organisation.objects.filter(accredited_on__isnull=True).exists()


def test_ensuring_the_directory_twice_creates_nothing_new(directory):
    before = Organisation.objects.count()
    directory_ensure()
    assert Organisation.objects.count() == before


def test_sensitive_services_are_organisations_of_the_sensitive_kind(directory):
    ids = [i for local in directory.las for ids in local.sensitive.values() for i in ids]
    assert set(Organisation.objects.filter(pk__in=ids).values_list("kind", flat=True)) == {
        OrganisationKind.SENSITIVE
    }


def test_every_child_is_found_by_its_own_family_name_and_date_of_birth(loaded):
    for spec in loaded:
        d = spec.details
        matches = child_search_matches(SearchCriteria(d.family_name, date_of_birth=d.date_of_birth))
        assert any(m.given_names == d.given_names and m.family_name == d.family_name for m in matches), (
            d.family_name
        )


def test_it_saves_every_child_in_batches_with_carers_and_involvements(loaded):
    assert Child.objects.count() == COUNT
    ended = sum(1 for s in loaded for i in s.involvements if i.ended_on)
    assert Involvement.objects.filter(ceased=True).count() == ended
    shielded = Child.objects.filter(shielded=True).count()
    assert shielded == sum(s.shielded for s in loaded)
    assert Involvement.objects.count() == sum(len(s.involvements) for s in loaded)
    for child in Child.objects.all()[:30]:
        view = child_record(child)
        assert view.carers
        lead = view.details.lead_professional_id
        if lead:
            assert lead in {i.id for i in view.involvements if not i.involvement.ceased}


def test_generated_records_render_for_the_la_team_and_for_an_ordinary_practitioner(loaded):
    """Loaded data has shapes hand-made fixtures lack (no school, left England, sensitive, lead)."""
    children = list(Child.objects.order_by("index_number")[:25]) + list(Child.objects.filter(shielded=True))
    for n, child in enumerate(children):
        la = child.local_authority
        school = Organisation.objects.filter(local_authority=la, kind=OrganisationKind.SCHOOL).first()
        for user in (make_user(f"team{n}", la, Role.LA_TEAM), make_user(f"teacher{n}", school)):
            client = signed_in(user)
            response = client.post(
                f"/children/{child.pk}/purpose/", {"purpose": "checking_details"}, follow=True
            )
            assert response.status_code == 200
            assert index_number.formatted(child.index_number) in response.content.decode()
