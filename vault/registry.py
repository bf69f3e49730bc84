"""Which models hold sealed columns, and how each row reaches its data key.

Found from the model registry rather than imported, so the vault (a foundation) never imports a
domain app, yet key rotation and shredding reach every sealed row: a model either has a foreign key
to DataKey itself (e.g. a child) or a foreign key to a model that does (e.g. a child's carer).
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from vault.models import DataKey, SealedField


@dataclass(frozen=True)
class SealedModel:
    model: type[models.Model]
    columns: tuple[str, ...]
    key_path: str

    @property
    def owns_key(self) -> bool:
        """True when the row holds the DataKey foreign key itself (it is the key's owner)."""
        return "__" not in self.key_path


def _data_key_fk(model: type[models.Model]) -> str | None:
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey) and field.related_model is DataKey:
            return field.name
    return None


def _key_path(model: type[models.Model]) -> str:
    direct = _data_key_fk(model)
    if direct:
        return direct
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey) and field.related_model is not None:
            parent = _data_key_fk(field.related_model)  # type: ignore[arg-type]
            if parent:
                return f"{field.name}__{parent}"
    raise ImproperlyConfigured(f"{model.__name__} has sealed columns but no path to a DataKey")


def sealed_models(candidates: list[type[models.Model]] | None = None) -> list[SealedModel]:
    """Every model with SealedField columns, in a stable order."""
    found = []
    for model in candidates if candidates is not None else apps.get_models():
        columns = tuple(f.name for f in model._meta.concrete_fields if isinstance(f, SealedField))
        if columns:
            found.append(SealedModel(model, columns, _key_path(model)))
    return sorted(found, key=lambda m: m.model._meta.label)
