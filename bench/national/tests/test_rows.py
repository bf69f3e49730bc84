"""The loader's COPY rows are the rows the app's `child_build` makes of the same sealed child.

The loader skips the Django model instances, not anything they hold: both lay out `child_seal`'s ids,
ciphertext and blocking digests, and every other column must be the model's own default. Timestamps
are each written when the row is made, so they are compared for type, not value.
"""

import itertools
from datetime import date, datetime

import pytest
from django.db.models import Model

from accounts.models import Organisation
from bench.national.rows import MODELS, ChunkRows, LoadedChild, model_row, sealed_rows, timestamp_clock
from children.models import BlockingKeyEntry, Carer, Child, Involvement
from children.services import built_from_sealed
from children.synthetic.directory import directory_ensure, directory_load
from children.synthetic.families import ChildSpec
from children.synthetic.loader import child_spec_seal
from children.synthetic.stream import children_stream
from vault.models import DataKey

pytestmark = pytest.mark.django_db


def _spec_with_everything() -> ChildSpec:
    """A child with carers, involvements and a lead professional, from the synthetic stream."""
    directory_ensure()
    stream = children_stream(seed=5, directory=directory_load(), today=date(2026, 12, 1))
    return next(
        s
        for s in itertools.islice(stream, 5_000)
        if s.carers and len(s.involvements) >= 2 and s.lead_involvement is not None
    )


def _masked(row: tuple, model: type[Model]) -> tuple:
    """The row with its timestamps replaced by their type (each is the time its row was made)."""
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "db_returning", False)]
    return tuple(
        type(value) if isinstance(value, datetime) and field.get_internal_type() == "DateTimeField" else value
        for value, field in zip(row, fields, strict=True)
    )


def test_the_loaders_rows_are_the_rows_child_build_makes_of_the_same_sealed_child():
    spec = _spec_with_everything()
    sealed = child_spec_seal(spec)
    out = ChunkRows(children=1)
    sealed_rows(
        out,
        sealed,
        LoadedChild(index_number="1234567890", local_authority_id=spec.local_authority_id, shielded=True),
        timestamp_clock(),
    )
    built = built_from_sealed(
        sealed,
        local_authority=Organisation.objects.get(pk=spec.local_authority_id),
        index_number="1234567890",
        shielded=True,
        archive_age=18,
    )
    expected = {
        DataKey: [built.data_key],
        Child: [built.child],
        Carer: built.carers,
        Involvement: built.involvements,
    }
    assert set(expected) == set(MODELS)
    for model, objects in expected.items():
        by_app = [_masked(model_row(model, obj), model) for obj in objects]
        loaded = [_masked(row, model) for row in out.rows[model._meta.db_table]]
        assert loaded == by_app, model.__name__
        assert datetime in loaded[0] or model is Carer  # every timestamp column was written, as a datetime
    assert out.rows[BlockingKeyEntry._meta.db_table] == [
        (k.child.pk, k.digest, k.hidden) for k in built.blocking_keys
    ]
    assert len(out.rows[BlockingKeyEntry._meta.db_table]) >= 15
