"""The 2009 failure, as a test: a flood of near-variants of shielded children must never surface one.

Thousands of feed rows, each a shielded child keyed with one or two everyday mistakes (typos, familiar
names, day and month swapped, given and family names swapped, a former name, a new postcode), go
through the real ingest. Not one may create a record, update one, or put a shielded child's details
anywhere a source or practitioner could see them: every row waits for the child's LA team.
"""

import random
import time
from dataclasses import replace
from datetime import date, timedelta

from access.policy import feed_row_decide
from audit.models import AuditEvent
from audit.tags import AuditTag
from children.models import BlockingKeyEntry, Child
from children.records import ChildDetails, FormerName, Gender
from children.selectors import child_details
from children.synthetic.mistakes import dob_transposed, nickname, typo
from children.synthetic.names import FAMILY_NAMES, child_given_names
from children.synthetic.places import PLACES, postcode
from feeds.ingest import batch_ingest
from feeds.models import FeedRow, FieldProvenance, RowOutcome
from feeds.parsers import rows_fingerprint
from feeds.tests.factories import health_source
from linkage.models import ClericalReview
from tests.personas import make_child

SHIELDED = 25
UNSHIELDED = 150
VARIANTS = 2000
SECONDS = 60
MISTAKES = (
    "typo_family",
    "typo_given",
    "nickname",
    "dob_transposed",
    "swapped",
    "moved",
    "former",
    "no_postcode",
)


def _person(rng: random.Random) -> dict:
    gender = rng.choice((Gender.FEMALE, Gender.MALE))
    return {
        "given_names": child_given_names(rng, gender).split(" ")[0],
        "family_name": FAMILY_NAMES.draw(rng),
        "gender": gender,
        "date_of_birth": date.today() - timedelta(days=17 * 365) + timedelta(days=rng.randrange(16 * 365)),
        "postcode": postcode(rng, rng.choice(PLACES)),
    }


def _row(details: ChildDetails, number: int) -> dict:
    return {
        "record_id": f"F-{number}",
        "local_authority": "LA-N",
        "given_names": details.given_names,
        "family_name": details.family_name,
        "date_of_birth": details.date_of_birth.isoformat(),
        "gender": details.gender,
        "postcode": details.address.postcode or "",
        "address_line": "1 Elsewhere Road",
    }


def _mistaken(rng: random.Random, details: ChildDetails, kind: str) -> ChildDetails | None:
    if kind == "typo_family":
        value = typo(rng, details.family_name)
        return replace(details, family_name=value) if value else None
    if kind == "typo_given":
        value = typo(rng, details.given_names)
        return replace(details, given_names=value) if value else None
    if kind == "nickname":
        value = nickname(rng, details.given_names)
        return replace(details, given_names=value) if value else None
    if kind == "dob_transposed":
        dob = dob_transposed(details.date_of_birth)
        return replace(details, date_of_birth=dob) if dob else None
    if kind == "swapped":
        return replace(details, given_names=details.family_name, family_name=details.given_names)
    if kind == "moved":
        return replace(details, address=replace(details.address, postcode=postcode(rng, rng.choice(PLACES))))
    if kind == "former" and details.former_names:
        return replace(details, family_name=details.former_names[0].family_name, former_names=[])
    if kind == "no_postcode":
        return replace(details, address=replace(details.address, postcode=None))
    return None


def _variant(rng: random.Random, details: ChildDetails) -> tuple[ChildDetails, tuple[str, ...]]:
    """One or two mistakes (each that applies), always at least one."""
    while True:
        kinds = tuple(rng.sample(MISTAKES, rng.choice((1, 2))))
        changed: ChildDetails | None = details
        for kind in kinds:
            changed = _mistaken(rng, changed, kind) if changed else None
        if changed is not None and changed != details:
            return changed, kinds


def test_a_flood_of_near_variants_of_shielded_children_creates_and_exposes_nothing(world):
    rng = random.Random(2009)
    shielded = []
    for i in range(SHIELDED):
        person = _person(rng)
        former = [FormerName(person["given_names"], FAMILY_NAMES.draw(rng))] if i % 3 == 0 else []
        shielded.append(make_child(world, shielded=True, former_names=former, **person))
    for _ in range(UNSHIELDED):
        make_child(world, **_person(rng))
    originals = {c.pk: child_details(c) for c in shielded}
    sealed_before = {
        c.pk: {f: bytes(getattr(c, f)) for f in Child.SEALED} for c in Child.objects.filter(shielded=True)
    }
    keys_before = sorted(
        BlockingKeyEntry.objects.filter(child__shielded=True).values_list("child_id", "digest")
    )
    children_before = Child.objects.count()
    last_event_before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    rows = []
    for number in range(1, VARIANTS + 1):
        child = rng.choice(shielded)
        variant, _ = _variant(rng, originals[child.pk])
        rows.append(_row(variant, number))
    source = health_source(world)
    started = time.process_time()  # CPU of this process: the machine is shared, wall time is not ours
    report = batch_ingest(
        source=source,
        batch_id="flood",
        fingerprint=rows_fingerprint(rows),
        rows=enumerate(rows, start=1),
        entitled=lambda s, fields, la: feed_row_decide(
            source=s, fields=fields, local_authority_id=la.pk if la else None
        ),
    )
    elapsed = time.process_time() - started

    assert report.counts[RowOutcome.CREATED] == 0, (
        "a near-variant of a shielded child created a visible record"
    )
    assert report.counts[RowOutcome.UPDATED] == 0 and report.counts[RowOutcome.LINKED] == 0
    assert report.counts[RowOutcome.REVIEW] + report.counts[RowOutcome.REJECTED] == VARIANTS
    assert report.counts[RowOutcome.REJECTED] < VARIANTS // 100  # a typo may, rarely, make a row invalid
    assert Child.objects.count() == children_before
    assert Child.objects.filter(shielded=False).count() == UNSHIELDED
    # every row waits for the shielded child's own LA team, and says nothing about why to the source
    reviews = ClericalReview.objects.all()
    assert reviews.count() == report.counts[RowOutcome.REVIEW]
    assert all(r.shielded_hold and r.local_authority_id == world.north.pk for r in reviews)
    assert set(FeedRow.objects.exclude(outcome=RowOutcome.REJECTED).values_list("reason", flat=True)) == {
        "sent to clerical review"
    }
    # not one shielded field written, refiled or given a provenance
    after = {
        c.pk: {f: bytes(getattr(c, f)) for f in Child.SEALED} for c in Child.objects.filter(shielded=True)
    }
    assert after == sealed_before
    assert (
        sorted(BlockingKeyEntry.objects.filter(child__shielded=True).values_list("child_id", "digest"))
        == keys_before
    )
    assert not FieldProvenance.objects.exists()
    new_tags = set(AuditEvent.objects.filter(pk__gt=last_event_before).values_list("tag", flat=True))
    assert not new_tags & {AuditTag.ChildCreated, AuditTag.ChildUpdated}
    assert elapsed < SECONDS, f"{VARIANTS} rows took {elapsed:.1f}s of CPU"
