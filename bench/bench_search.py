"""Practitioner search latency with encryption on, over a temporary SQLite database or PostgreSQL.

Builds BENCH_CHILDREN synthetic children (default 50,000) through the real sealing path (own DEK,
sealed fields, blind blocking keys), then times BENCH_SEARCHES practitioner searches (default 1,000)
through `child_search`, audit write included: name + date of birth, name + postcode, name + given
name + gender, and typo'd names or transposed dates. Reports p50/p95/p99 latency and how many
candidates the blind blocking keys returned (each one is decrypted and scored).

Uses ephemeral keys and a throwaway database in a temporary directory: never var/db.sqlite3. With
BENCH_DATABASE_URL (a dedicated, empty PostgreSQL database whose name ends in `_bench`) it runs there.
People come from children.synthetic.search_errors (real-world name frequencies, ~3,000 districts).

With BENCH_SEARCH_DATABASE naming a database `make bench-national` loaded (`cp_*_national`, sealed
under var/vault-keys.json), nothing is generated: BENCH_SEARCH_PER_SET searches (default 300) per
minimum-criteria set aim at children of that run, re-derived from its stream and typed with the
mistakes of bench_search_quality.py (bench/national/search.py). BENCH_SEARCH_EXPLAIN=1 prints EXPLAIN
(ANALYZE, BUFFERS) of the key + candidate statement of each set's slowest search;
BENCH_SEARCH_PROFILE=1 a cProfile of decrypt + score for the sets whose p95 is over 50 ms;
BENCH_SEARCH_ANSWERS=path writes every search's answer (refine, children shown) to compare runs. Audit rows
and bench practitioners are written into that database.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILDREN = int(os.environ.get("BENCH_CHILDREN", "50000"))
SEARCHES = int(os.environ.get("BENCH_SEARCHES", "1000"))
SEED = int(os.environ.get("BENCH_SEED", "20261125"))
CHUNK = 1000


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    gender: str
    dob: date
    postcode: str


def _person(rng: random.Random) -> Person:
    """Realistic name frequencies and ~3,000 postcode districts (children.synthetic.search_errors)."""
    from children.synthetic.search_errors import person

    who = person(rng)
    assert who.dob is not None  # noqa: S101 - the generator always gives a date
    return Person(who.given, who.family, who.gender, who.dob, who.postcode)


def _typo(rng: random.Random, name: str) -> str:
    """One realistic slip: a swapped pair, a dropped or a doubled letter, never the first letter."""
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 2)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == "drop":
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i] + name[i:]


def _setup(db_path: Path) -> str:
    """SQLite in a temporary directory, or BENCH_DATABASE_URL: a dedicated, empty PostgreSQL database."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    url = os.environ.get("BENCH_DATABASE_URL")
    os.environ["DATABASE_URL"] = url or f"sqlite:///{db_path}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    assert settings.VAULT_KEY_PROVIDER.endswith("EphemeralKeyProvider")  # noqa: S101
    if url:
        # Never a shared or development database: the bench fills it with synthetic children.
        if not str(settings.DATABASES["default"]["NAME"]).endswith("_bench"):
            raise SystemExit("BENCH_DATABASE_URL must name a dedicated database ending in _bench")
    else:
        assert Path(settings.DATABASES["default"]["NAME"]) == db_path  # noqa: S101
    call_command("migrate", verbosity=0)
    return "PostgreSQL" if url else "SQLite"


def _load(rng: random.Random) -> tuple[list[Person], Any]:
    from accounts.models import Organisation, OrganisationKind, Role, User
    from children import index_number
    from children.records import Address, CarerDetails, ChildDetails, EducationalSetting
    from children.services import child_build, children_save_built

    la = Organisation.objects.create(kind=OrganisationKind.LOCAL_AUTHORITY, name="Bench Council", code="B-LA")
    school = Organisation.objects.create(kind=OrganisationKind.SCHOOL, name="Bench School", code="B-SCH")
    user = User.objects.create(username="bench", organisation=la, role=Role.PRACTITIONER)
    people: list[Person] = []
    numbers: set[str] = set()
    started = time.perf_counter()
    for offset in range(0, CHILDREN, CHUNK):
        built = []
        for _ in range(min(CHUNK, CHILDREN - offset)):
            person = _person(rng)
            people.append(person)
            details = ChildDetails(
                given_names=person.given,
                family_name=person.family,
                gender=person.gender,
                date_of_birth=person.dob,
                address=Address(lines=[f"{rng.randint(1, 200)} Bench Street"], postcode=person.postcode),
                educational_setting=EducationalSetting(school.pk, person.dob + timedelta(days=1600)),
            )
            carer = CarerDetails(name=f"Carer {person.family}", relationship="mother", phone="07700 900000")
            child = child_build(local_authority=la, details=details, carers=[carer])
            # Random 9-digit index numbers collide by the birthday bound (~35% by 25,000 children):
            # the bench keeps them unique itself (see the report on children.index_number).
            while child.child.index_number in numbers:
                child.child.index_number = index_number.generate()
            numbers.add(child.child.index_number)
            built.append(child)
        children_save_built(built)
        print(f"\r  loaded {len(people):,}/{CHILDREN:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print(f"load: {CHILDREN:,} children sealed and inserted in {time.perf_counter() - started:.1f} s")
    return people, user


def _queries(rng: random.Random, people: list[Person]) -> list[tuple[str, Any, Person]]:
    from children.search import SearchCriteria

    kinds = ["name+dob"] * 40 + ["name+postcode"] * 20 + ["name+given+gender"] * 25 + ["typo+dob"] * 15
    queries = []
    for _ in range(SEARCHES):
        person = rng.choice(people)
        kind = rng.choice(kinds)
        if kind == "name+dob":
            criteria = SearchCriteria(person.family, date_of_birth=person.dob)
        elif kind == "name+postcode":
            criteria = SearchCriteria(person.family, postcode=person.postcode)
        elif kind == "name+given+gender":
            criteria = SearchCriteria(person.family, given_name=person.given, gender=person.gender)
        else:
            dob = person.dob
            if dob.day <= 12 and rng.random() < 0.5:
                dob = dob.replace(day=dob.month, month=dob.day)
            criteria = SearchCriteria(_typo(rng, person.family), date_of_birth=dob)
        queries.append((kind, criteria, person))
    return queries


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _run(queries: list[tuple[str, Any, Person]], user: Any) -> None:
    from children.search import CANDIDATE_LIMIT, _child_ids, child_search
    from matching.blocking import candidates_within, query_key_tiers

    latency: dict[str, list[float]] = defaultdict(list)
    candidates: dict[str, list[float]] = defaultdict(list)
    found = refine = 0
    for kind, criteria, person in queries:
        tiers = query_key_tiers(criteria.identity())
        candidates[kind].append(len(candidates_within(tiers, _child_ids, cap=CANDIDATE_LIMIT).found))
        started = time.perf_counter()
        outcome = child_search(criteria=criteria, fetched_by=user)
        latency[kind].append((time.perf_counter() - started) * 1000)
        refine += outcome.too_many or outcome.nearby_dates_unchecked  # neither shows anyone
        found += any(
            r.family_name == person.family and r.date_of_birth == person.dob for r in outcome.results
        )
    every = [v for values in latency.values() for v in values]
    every_candidates = [v for values in candidates.values() for v in values]
    print(f"searches: {len(every):,} through child_search (decrypt + score + audit write)")
    print(
        f"latency ms: p50 {_pct(every, 50):.1f}  p95 {_pct(every, 95):.1f}  "
        f"p99 {_pct(every, 99):.1f}  max {max(every):.1f}  mean {statistics.mean(every):.1f}"
    )
    print(
        f"candidates: p50 {_pct(every_candidates, 50):.0f}  p95 {_pct(every_candidates, 95):.0f}  "
        f"p99 {_pct(every_candidates, 99):.0f}  max {max(every_candidates):.0f}"
    )
    print(f"target child returned: {found / len(every):.1%}; 'refine your search': {refine / len(every):.1%}")
    print(f"{'kind':<20}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'cand p50':>10}{'cand p95':>10}")
    for kind in sorted(latency):
        values, cands = latency[kind], candidates[kind]
        print(
            f"{kind:<20}{len(values):>5}{_pct(values, 50):>9.1f}{_pct(values, 95):>9.1f}"
            f"{_pct(values, 99):>9.1f}{_pct(cands, 50):>10.0f}{_pct(cands, 95):>10.0f}"
        )


def _loaded(database: str) -> int:
    """Search an existing national load: no generation, queries aimed at children that are there."""
    if not (database.startswith("cp_") and database.endswith("_national")):
        raise SystemExit(
            "BENCH_SEARCH_DATABASE must name a database make bench-national loaded (cp_*_national)"
        )
    pg = os.environ.get("BENCH_NATIONAL_PG", "postgres://postgres@127.0.0.1:5432")
    os.environ["DATABASE_URL"] = f"{pg}/{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"  # var/vault-keys.json: the load's keys
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from bench.national import search as national
    from children.synthetic.directory import directory_load

    if MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes()):
        raise SystemExit(f"{database} has unapplied migrations: migrate it first")
    per_set = int(os.environ.get("BENCH_SEARCH_PER_SET", "300"))
    plan = national.loaded_plan()
    directory = directory_load()
    rng = random.Random(SEED)
    started = time.perf_counter()
    queries = national.queries_for(rng, plan, directory, per_set=per_set)
    warm = national.queries_for(random.Random(SEED + 1), plan, directory, per_set=4)
    rng.shuffle(queries)
    users = national.bench_users(national.today_tag(), directory)
    print(
        f"bench_search: {plan.count:,} children in {database} (seed {plan.seed}, {plan.today}), "
        f"{len(queries):,} searches ({per_set} per criteria set), bench seed {SEED}, "
        f"{len(users)} practitioners; queries derived in {time.perf_counter() - started:.0f} s"
    )
    national.measure(warm, users)  # connections, caches, the model and name tables: not counted
    load_before = os.getloadavg()
    started = time.perf_counter()
    measured = national.measure(queries, users)
    print(
        f"timed {len(measured):,} searches in {time.perf_counter() - started:.0f} s; load average "
        f"(1, 5, 15 min) before {load_before}, after {os.getloadavg()}, {os.cpu_count()} CPUs"
    )
    by_set = national.report(measured)
    answers_path = os.environ.get("BENCH_SEARCH_ANSWERS")
    if answers_path:
        Path(answers_path).write_text(national.answers(measured))
        print(f"answers of every search written to {answers_path}")
    if os.environ.get("BENCH_SEARCH_EXPLAIN") == "1":
        for name, set_report in by_set.items():
            slowest = max(set_report.rows, key=lambda m: m.ms)
            print(
                f"\nEXPLAIN, slowest {name} search ({slowest.ms:.1f} ms): {national.explain(slowest.query)}"
            )
    if os.environ.get("BENCH_SEARCH_PROFILE") == "1":
        for name, set_report in by_set.items():
            if national.pct([m.ms for m in set_report.rows], 95) > 50:
                print(f"\ncProfile, {name}: child_search_matches over its {len(set_report.rows)} searches")
                print(national.profile([m.query for m in set_report.rows]))
    return 0


def main() -> int:
    database = os.environ.get("BENCH_SEARCH_DATABASE")
    if database:
        return _loaded(database)
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="cp-bench-") as tmp:
        engine = _setup(Path(tmp) / "bench.sqlite3")
        print(f"bench_search: {CHILDREN:,} children, {SEARCHES:,} searches, seed {SEED}, {engine}, sealed")
        people, user = _load(rng)
        _run(_queries(rng, people), user)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
