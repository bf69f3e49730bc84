"""Clerical review decisions kept as labelled pairs, so the matcher can be retrained from people's verdicts.

`review_labels_record` is called in the transaction that carries out a decision (before a LINK updates the
child, so the candidate is sealed as the reviewer saw it). `labelled_pairs` decrypts them in memory for
`manage.py train_matcher --from-review-labels`; nothing personal is written anywhere in clear.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from children.models import Child
from children.records import IDENTITY_COLUMNS, identity_from_sealed_values
from children.selectors import unseal_column
from linkage.models import ClericalReview, ReviewLabel, ReviewStatus
from matching.identity import Identity
from vault.crypto import DecryptionFailed
from vault.keys import data_key_build
from vault.sealing import Sealer


def identity_to_json(identity: Identity) -> dict[str, Any]:
    return {
        "family_names": list(identity.family_names),
        "given_names": list(identity.given_names),
        "date_of_birth": identity.date_of_birth.isoformat() if identity.date_of_birth else None,
        "gender": identity.gender,
        "postcodes": list(identity.postcodes),
    }


def identity_from_json(values: dict[str, Any]) -> Identity:
    dob = values.get("date_of_birth")
    return Identity(
        family_names=tuple(values.get("family_names", ())),
        given_names=tuple(values.get("given_names", ())),
        date_of_birth=date.fromisoformat(dob) if dob else None,
        gender=values.get("gender"),
        postcodes=tuple(values.get("postcodes", ())),
    )


def _child_identity(child: Child) -> Identity:
    sealer = Sealer(child.data_key)
    return identity_from_sealed_values(
        {column: unseal_column(sealer, child, column) for column in IDENTITY_COLUMNS}
    )


def review_labels_record(
    *,
    review: ClericalReview,
    status: str,
    incoming: Identity,
    candidates: list[Child],
    linked_id: UUID | None = None,
) -> list[ReviewLabel]:
    """One label per candidate shown: a match only for the child a LINK chose. Call before the update."""
    if status == ReviewStatus.OPEN:
        raise ValueError("an open review has no verdict to learn from")
    if candidates and status == ReviewStatus.LINKED and linked_id is None:
        raise ValueError("a link names the child it linked to")
    if not candidates:
        return []
    labels = []
    data_key, dek = data_key_build()
    data_key.save()
    sealer = Sealer(data_key, dek)
    for child in candidates:
        label = ReviewLabel(
            review=review,
            candidate_id=child.pk,
            is_match=status == ReviewStatus.LINKED and child.pk == linked_id,
            decision=status,
            data_key=data_key,
        )
        sealer.seal_all(
            label,
            {"incoming": identity_to_json(incoming), "candidate": identity_to_json(_child_identity(child))},
        )
        labels.append(label)
    return ReviewLabel.objects.bulk_create(labels)


@dataclass(frozen=True)
class LabelledPair:
    incoming: Identity
    candidate: Identity
    is_match: bool


def labelled_pairs() -> Iterator[LabelledPair]:
    """Every stored label, decrypted in memory (the caller must not write them anywhere).

    A label whose key does not open is passed over: a purge or an unmerge revokes the key at the provider
    before it deletes the row (`linkage.retention`), so one that then failed leaves the row, destroyed."""
    for label in ReviewLabel.objects.select_related("data_key").iterator(chunk_size=500):
        try:
            sealer = Sealer(label.data_key)
            incoming, candidate = sealer.unseal(label, "incoming"), sealer.unseal(label, "candidate")
        except DecryptionFailed:
            continue
        yield LabelledPair(
            incoming=identity_from_json(incoming),
            candidate=identity_from_json(candidate),
            is_match=label.is_match,
        )
