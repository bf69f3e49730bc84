import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.test.utils import isolate_apps

from children.models import Carer, Child, Involvement
from corrections.models import Complaint, Correction
from disclosure.models import DisclosureExport
from feeds.models import FieldProvenance
from linkage.models import ChildMerge, ClericalReview, ReviewLabel
from vault.keys import KeyShredded, data_key_build, data_key_open, data_key_rewrap, data_key_shred
from vault.models import DataKey, SealedField
from vault.registry import sealed_models


def test_it_finds_every_sealed_model_and_its_path_to_a_data_key():
    found = {spec.model: spec for spec in sealed_models()}
    assert set(found) == {
        Child,
        Carer,
        Involvement,
        FieldProvenance,
        ClericalReview,
        ChildMerge,
        Correction,
        Complaint,
        ReviewLabel,
        DisclosureExport,
    }
    # a correction or complaint is shredded with its child; a review label carries its own key
    assert found[Correction].key_path == "child__data_key" and not found[Correction].owns_key
    assert found[Complaint].key_path == "child__data_key" and not found[Complaint].owns_key
    assert found[ReviewLabel].key_path == "data_key" and found[ReviewLabel].owns_key
    assert found[FieldProvenance].key_path == "child__data_key"
    assert found[ClericalReview].key_path == "data_key" and found[ClericalReview].owns_key
    assert found[DisclosureExport].key_path == "data_key" and found[DisclosureExport].owns_key
    assert found[Child].key_path == "data_key" and found[Child].owns_key
    assert found[Carer].key_path == "child__data_key" and not found[Carer].owns_key
    assert set(found[Carer].columns) == set(Carer.SEALED)


@isolate_apps("vault")
def test_a_sealed_model_without_a_path_to_a_data_key_is_a_configuration_error():
    class Orphan(models.Model):  # noqa: DJ008
        parent = models.ForeignKey(Carer, on_delete=models.CASCADE)
        secret = SealedField()

        class Meta:
            app_label = "vault"

    with pytest.raises(ImproperlyConfigured, match="Orphan"):
        sealed_models([Orphan])


@pytest.mark.django_db
def test_a_key_rewrapped_under_a_new_kek_opens_the_same_dek(fresh_keys):
    key, dek = data_key_build()
    key.save()
    data_key_rewrap(key, to_version=fresh_keys.add_kek())
    stored = DataKey.objects.get(pk=key.pk)
    assert stored.kek_version == 2 and data_key_open(stored) == dek
    assert str(stored) == f"DataKey {key.pk} (KEK v2)"


@pytest.mark.django_db
def test_a_shredded_key_cannot_be_opened_even_from_its_old_wrapped_bytes(fresh_keys):
    key, _ = data_key_build()
    key.save()
    backup = DataKey(pk=key.pk, wrapped=bytes(key.wrapped), kek_version=key.kek_version)
    assert data_key_shred(key) == 1
    with pytest.raises(KeyShredded):
        data_key_open(key)
    with pytest.raises(Exception, match="shredded"):
        data_key_open(backup)
