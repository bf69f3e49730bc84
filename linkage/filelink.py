"""Linking a file of records from several sources into clusters, one per child, streaming.

The same engine as search and feed linkage: each record looks itself up under the engine's query keys
(`matching.blocking.query_key_tiers`, tier by tier under a candidate cap), each candidate is scored
by `matching.scoring.score`, and the record joins the cluster of its best "match" if that match is
clear of the runner-up from another cluster by `LINK_MARGIN` bits; otherwise it starts a cluster.
A record with only "close" candidates starts its own cluster and is counted as a review (what feed
linkage would send to a person); one the engine cannot read (no family name, no real date of birth,
bytes that are not UTF-8) is reported by row number and is a cluster of its own.

Memory is bounded: records and their keys go into a temporary SQLite file (mode 0600, deleted at the
end), never into Python collections, and each output row is written as soon as its record is decided.
Keys are stored as 64-bit BLAKE2b digests (the file is plaintext anyway; this just keeps it small).
"""

import csv
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from linkage.linking import LINK_MARGIN, possible_sibling
from linkage.moves import moved_and_more
from matching.blocking import candidates_within, query_key_tiers, record_keys
from matching.identity import Identity
from matching.normalise import normalise_postcode, not_utf8
from matching.scoring import score

COLUMNS = (
    "record_id",
    "source",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "address_line",
    "town",
    "postcode",
)
OUT_COLUMNS = ("record_id", "source", "cluster_id", "decision")
FILE_CANDIDATE_LIMIT = 200
SEXES = {"f": "female", "female": "female", "m": "male", "male": "male"}


@dataclass
class FileLinkReport:
    records: int = 0
    clusters: int = 0
    linked: int = 0
    reviews: int = 0
    rejected: int = 0
    rejected_rows: list[tuple[int, str]] = field(default_factory=list)


def identity_from_row(row: dict[str, str]) -> Identity:
    """The engine's view of one input row; ValueError (naming the column, never the value) if unusable."""
    if not_utf8(row.values()):
        raise ValueError("not valid UTF-8 text")  # bytes kept by the reader's surrogateescape
    family = (row.get("family_name") or "").strip()
    if not family:
        raise ValueError("family_name is required")
    try:
        dob = date.fromisoformat((row.get("date_of_birth") or "").strip())
    except ValueError:
        raise ValueError("date_of_birth is not a real date in the form YYYY-MM-DD") from None
    given = (row.get("given_name") or "").strip()
    postcode = normalise_postcode(row.get("postcode") or "")
    return Identity(
        family_names=(family,),
        given_names=(given,) if given else (),
        date_of_birth=dob,
        gender=SEXES.get((row.get("sex") or "").strip().lower()),
        postcodes=(postcode,) if postcode else (),
    )


def _digest(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def _identity_json(identity: Identity) -> str:
    return json.dumps(
        {
            "f": identity.family_names,
            "g": identity.given_names,
            "d": identity.date_of_birth.isoformat() if identity.date_of_birth else None,
            "s": identity.gender,
            "p": identity.postcodes,
        }
    )


def _identity_load(text: str) -> Identity:
    data = json.loads(text)
    return Identity(
        family_names=tuple(data["f"]),
        given_names=tuple(data["g"]),
        date_of_birth=date.fromisoformat(data["d"]) if data["d"] else None,
        gender=data["s"],
        postcodes=tuple(data["p"]),
    )


class _Store:
    """Records and keys on disk, so memory stays flat whatever the file's size."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "link.sqlite3"
        self.db = sqlite3.connect(self.path)
        os.chmod(self.path, 0o600)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16000;
            CREATE TABLE record (seq INTEGER PRIMARY KEY, cluster INTEGER NOT NULL, identity TEXT NOT NULL);
            CREATE TABLE key (digest INTEGER NOT NULL, seq INTEGER NOT NULL);
            CREATE INDEX key_digest ON key (digest);
            """
        )

    def lookup(self, keys: frozenset[str]) -> set[int]:
        found: set[int] = set()
        digests = [_digest(k) for k in keys]
        for start in range(0, len(digests), 500):
            chunk = digests[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found |= {
                seq
                for (seq,) in self.db.execute(
                    f"SELECT DISTINCT seq FROM key WHERE digest IN ({marks}) LIMIT {FILE_CANDIDATE_LIMIT + 1}",  # noqa: S608 - placeholders only
                    chunk,
                )
            }
        return found

    def candidates(self, seqs: set[int]) -> Iterator[tuple[int, int, Identity]]:
        for seq in seqs:
            cluster, identity = self.db.execute(
                "SELECT cluster, identity FROM record WHERE seq = ?", (seq,)
            ).fetchone()
            yield seq, cluster, _identity_load(identity)

    def add(self, seq: int, cluster: int, identity: Identity) -> None:
        self.db.execute("INSERT INTO record VALUES (?, ?, ?)", (seq, cluster, _identity_json(identity)))
        self.db.executemany(
            "INSERT INTO key VALUES (?, ?)", [(_digest(k.value), seq) for k in record_keys(identity)]
        )

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)


def _decide(identity: Identity, store: _Store) -> tuple[int | None, str]:
    """The cluster to join (or None for a new one) and the decision: match, review or new."""
    found = candidates_within(query_key_tiers(identity), store.lookup, cap=FILE_CANDIDATE_LIMIT)
    best_by_cluster: dict[int, float] = {}
    close = False
    for _, cluster, candidate in store.candidates(found.found):
        match = score(identity, candidate)
        if match.verdict == "match" and (possible_sibling(match) or moved_and_more(match)):
            close = True  # a twin or sibling, or two fields out at once: a person decides
        elif match.verdict == "match":
            best_by_cluster[cluster] = max(match.weight, best_by_cluster.get(cluster, float("-inf")))
        elif match.verdict == "close":
            close = True
    if not best_by_cluster:
        return None, "review" if close else "new"
    ranked = sorted(best_by_cluster.items(), key=lambda item: -item[1])
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < LINK_MARGIN:
        return None, "review"
    return ranked[0][0], "match"


def link_file(source: IO[str], out: IO[str], *, progress: Any = None) -> FileLinkReport:
    """Cluster the CSV in `source` (COLUMNS), writing OUT_COLUMNS to `out` as each record is decided."""
    reader = csv.DictReader(source)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    writer = csv.writer(out)
    writer.writerow(OUT_COLUMNS)
    report = FileLinkReport()
    with tempfile.TemporaryDirectory(prefix="cp-link-") as directory:
        store = _Store(Path(directory))
        try:
            for seq, row in enumerate(reader, start=1):
                report.records += 1
                if progress is not None:
                    progress()
                try:
                    identity = identity_from_row(row)
                except ValueError as invalid:
                    # Every record is in a cluster: one the engine cannot read is a cluster of its own.
                    report.rejected += 1
                    report.clusters += 1
                    report.rejected_rows.append((seq, str(invalid)))
                    writer.writerow((row.get("record_id", ""), row.get("source", ""), f"C{seq}", "rejected"))
                    continue
                cluster, decision = _decide(identity, store)
                if cluster is None:
                    cluster = seq
                    report.clusters += 1
                else:
                    report.linked += 1
                report.reviews += decision == "review"
                store.add(seq, cluster, identity)
                writer.writerow((row["record_id"], row["source"], f"C{cluster}", decision))
        finally:
            store.close()
    return report
