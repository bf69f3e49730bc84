"""National re-linkage runs the committed model through Splink (DuckDB here; Spark at scale)."""

import json
import math
import random
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from itertools import combinations

import pytest

from children.synthetic.names import child_given_names
from children.synthetic.search_errors import Person, corrupted, error_class, population
from linkage.national import BLOCKING_RULES, acceptance_probability, model_settings, national_relink
from linkage.tests.link_files import link_csv
from matching.scoring import ACCEPT_WEIGHT, MODEL_DIR, MODEL_VERSION, load_model

pytest.importorskip("splink")


def _record(record_id: str, who: Person) -> dict:
    return {
        "record_id": record_id,
        "given": who.given,
        "family": who.family,
        "gender": who.gender,
        "dob": who.dob,
        "postcode": who.postcode,
    }


def _brother_or_sister(rng: random.Random, child: Person) -> Person:
    """A child of `child`'s household: same family name and address, another first name; a twin (same
    date of birth) one time in six, otherwise born 10 months to five years apart."""
    gender = rng.choice(("female", "male"))
    given = child_given_names(rng, gender, exclude=(child.given.split(" ")[0],))
    assert child.dob is not None
    born = child.dob
    if rng.random() >= 1 / 6:
        apart = timedelta(days=rng.randint(300, 5 * 365))
        born = child.dob - apart if child.dob - apart > date(2008, 1, 1) else child.dob + apart
    return replace(child, given=given, gender=gender, dob=born)


def _records(people: int, seed: int, *, households: float = 0.0) -> tuple[list[dict], dict[str, str]]:
    """A synthetic population, a mistaken second record for a third of it, and the truth.

    With `households`, that share of the children has a brother or sister at the same address (a twin
    one time in six), with a mistaken second record as often: drawn from a stream of their own, so the
    population is the same children whatever the share."""
    rng = random.Random(seed)  # synthetic data, not security
    homes = random.Random(seed + 1)  # synthetic data, not security
    records, truth = [], {}
    for child, who in enumerate(population(rng, people)):
        family = [(str(child), who, rng)]
        if households and homes.random() < households:
            family.append((f"{child}s", _brother_or_sister(homes, who), homes))
        for key, member, draws in family:
            versions = [member]
            if draws.random() < 0.35:
                versions.append(corrupted(draws, member, error_class(draws)) or member)
            for n, v in enumerate(versions):
                record_id = f"{key}-{n}"
                truth[record_id] = key
                records.append(_record(record_id, v))
    return records, truth


def _pairs(assignment: Mapping[str, object]) -> set[frozenset[str]]:
    groups: dict[object, list[str]] = {}
    for record_id, group in assignment.items():
        groups.setdefault(group, []).append(record_id)
    return {frozenset(p) for members in groups.values() for p in combinations(sorted(members), 2)}


def test_the_committed_model_relinks_a_population_with_its_own_parameters():
    records, truth = _records(people=600, seed=20261202)
    clusters = national_relink(records)
    assert set(clusters) == set(truth)
    found, true = _pairs(clusters), _pairs(truth)
    precision = len(found & true) / max(len(found), 1)
    recall = len(found & true) / len(true)
    assert precision >= 0.97, precision
    assert recall >= 0.85, recall


def test_relinkage_uses_the_saved_model_unchanged_with_wider_blocking():
    saved = json.loads((MODEL_DIR / f"{MODEL_VERSION}.json").read_text())
    settings = model_settings()
    engine = load_model()
    for comparison in settings["comparisons"]:  # no training: exactly the m and u the engine scores with
        name = comparison["output_column_name"]
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert level["m_probability"] == engine.levels[name][level["label_for_charts"]].m
                assert level["u_probability"] == engine.levels[name][level["label_for_charts"]].u
    assert [c["output_column_name"] for c in settings["comparisons"]] == [
        c["output_column_name"] for c in saved["comparisons"]
    ]
    assert [r["blocking_rule"] for r in settings["blocking_rules_to_generate_predictions"]] == list(
        BLOCKING_RULES
    )


def test_acceptance_matches_the_engines_evidence_threshold():
    settings = model_settings()
    prior = settings["probability_two_random_records_match"]
    p = acceptance_probability(settings)
    # Splink's posterior at the threshold, turned back into bits of evidence beyond the prior
    bits = math.log2(p / (1 - p)) - math.log2(prior / (1 - prior))
    assert bits == pytest.approx(ACCEPT_WEIGHT)
    assert acceptance_probability(settings, accept_weight=ACCEPT_WEIGHT + 2) > p


def test_a_pair_in_another_district_with_the_date_of_birth_out_too_is_never_accepted():
    from matching.identity import Identity
    from matching.scoring import score

    def amelia(record_id: str, dob: date, postcode: str) -> dict:
        return {
            "record_id": record_id,
            "given": "Amelia",
            "family": "Thornton",
            "gender": "female",
            "dob": dob,
            "postcode": postcode,
        }

    leeds = amelia("h1", date(2015, 3, 4), "LS1 4AB")
    moved = amelia("s1", date(2015, 3, 4), "SO14 2DF")
    misdated = amelia("b1", date(2015, 3, 14), "SO15 3GH")

    def identity(r: dict) -> Identity:
        return Identity(("Thornton",), ("Amelia",), r["dob"], "female", (r["postcode"],))

    pair = score(identity(misdated), identity(leeds), model=load_model("fs-v3"))
    assert pair.weight >= ACCEPT_WEIGHT  # the weight alone would accept it
    clusters = national_relink([leeds, moved, misdated], version="fs-v3")
    assert clusters["h1"] == clusters["s1"] != clusters["b1"]


def test_the_command_clusters_a_file_and_reports_bad_rows_by_number(tmp_path):
    from django.core.management import call_command

    source = tmp_path / "in.csv"
    source.write_text(
        "record_id,source,given_name,family_name,date_of_birth,sex,address_line,town,postcode\n"
        "a1,health,Olivia,Thornbury,2016-04-03,F,,,LS1 4AB\n"
        "b7,school,Olivia,Thornbery,2016-04-03,F,,,LS1 4AB\n"
        "c2,benefit,Noah,Quillfeather,2015-01-02,M,,,SO14 2DF\n"
        "d9,benefit,Isla,,2014-02-03,F,,,\n"
        "e4,school,Isla,Marchbank,2014-13-03,F,,,\n"
    )
    out = tmp_path / "clusters.csv"
    errors = __import__("io").StringIO()
    call_command("national_relink", str(source), "--out", str(out), stderr=errors, stdout=errors)
    lines = out.read_text().split()
    assert lines[0] == "record_id,source,cluster_id"
    rows = {line.split(",")[0]: line.split(",")[2] for line in lines[1:]}
    assert set(rows) == {"a1", "b7", "c2"}
    assert rows["a1"] == rows["b7"] != rows["c2"]
    report = errors.getvalue()
    # Numbered as ingest numbers rows: the file line the row starts on, minus the header.
    assert "row 4: family_name is required" in report
    assert "row 5: date_of_birth is not a real date" in report
    assert "Marchbank" not in report


AMELIA = ("h1", "health", "Amelia", "Thornton", "2015-03-04", "F", "12 Quarry Lane", "Leeds", "LS1 4AB")


def _relink(source, out):
    from io import StringIO

    from django.core.management import call_command

    printed, errors = StringIO(), StringIO()
    call_command("national_relink", str(source), "--out", str(out), stdout=printed, stderr=errors)
    return printed.getvalue(), errors.getvalue()


def test_national_relink_keeps_records_of_two_sources_sharing_a_record_id_apart(tmp_path):
    # Record ids are each source's own: two different children with id "1" in two sources.
    import csv

    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        link_csv(
            [
                ("1", "health", "Amelia", "Thornton", "2015-03-04", "F", "", "", "LS1 4AB"),
                ("1", "school", "Noah", "Begum", "2012-11-30", "M", "", "", "BD1 1AA"),
                ("2", "school", "Amelia", "Thornton", "2015-03-04", "F", "", "", "LS1 4AB"),
            ]
        )
    )
    printed, _ = _relink(source, out)
    rows = {(row["source"], row["record_id"]): row["cluster_id"] for row in csv.DictReader(out.open())}
    assert set(rows) == {("health", "1"), ("school", "1"), ("school", "2")}
    assert rows[("health", "1")] == rows[("school", "2")] != rows[("school", "1")]
    assert "3 records in 2 clusters" in printed


def test_national_relink_reads_a_file_with_a_byte_order_mark_as_link_file_does(tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(b"\xef\xbb\xbf" + link_csv([AMELIA, ("s1", "school", *AMELIA[2:])]).encode())
    printed, _ = _relink(source, out)
    assert "2 records in 1 clusters" in printed


def test_national_relink_rejects_a_non_utf8_row_by_number_instead_of_crashing(tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    good = link_csv([AMELIA, ("s1", "school", *AMELIA[2:])]).encode()
    source.write_bytes(good + b"x1,health,Zo\xe9,Smith,2015-03-04,F,,,LS1 4AB\r\n")
    printed, errors = _relink(source, out)
    assert "row 3: not valid UTF-8 text" in errors  # file line 4, minus the header
    assert "2 records in 1 clusters; 1 rows rejected" in printed


def test_national_relink_with_no_usable_rows_says_so_instead_of_crashing(tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(link_csv([("x1", "health", "Amelia", "", "2015-03-04", "F", "", "", "")]))
    printed, errors = _relink(source, out)
    assert "0 records in 0 clusters; 1 rows rejected" in printed
    assert "row 1: family_name is required" in errors
    assert out.read_text().splitlines() == ["record_id,source,cluster_id"]


def test_national_relink_with_one_usable_row_gives_it_a_cluster(tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(link_csv([AMELIA]))
    printed, _ = _relink(source, out)
    assert "1 records in 1 clusters" in printed
    assert len(out.read_text().splitlines()) == 2


def test_national_relink_rejects_a_cell_longer_than_the_csv_limit_by_number(tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    huge = ("h0", "health", "Amelia", "Thornton", "2015-03-04", "F", "x" * 200_000, "", "")
    source.write_text(link_csv([huge, AMELIA, ("s1", "school", *AMELIA[2:])]))
    printed, errors = _relink(source, out)
    assert "row 1: a cell is longer than any field allows" in errors
    assert "2 records in 1 clusters; 1 rows rejected" in printed


def test_national_relink_reads_the_lines_an_unclosed_quote_swallowed(tmp_path):
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    lines = [
        "record_id,source,given_name,family_name,date_of_birth,sex,address_line,town,postcode",
        "h1,health,Amelia,Thornton,2015-03-04,F,,,LS1 4AB",
        'h2,health,"Amelia,Thornton,2015-03-04,F,,,LS1 4AB',
        "h5,school,Amelia,Thornton,2015-03-04,F,,,LS1 4AB",
    ]
    source.write_text("\n".join(lines) + "\n")
    printed, errors = _relink(source, out)
    assert "row 2: a quote is not closed" in errors
    assert "2 records in 1 clusters; 1 rows rejected" in printed


def test_link_file_and_national_relink_name_the_same_row_for_one_bad_record(db, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    source = tmp_path / "in.csv"
    bad = ("x1", "health", "Bad", "", "2015-03-04", "F", "", "", "")
    source.write_text(link_csv([AMELIA, ("s1", "school", *AMELIA[2:]), bad]))
    linked = StringIO()
    call_command("link_file", str(source), "--out", str(tmp_path / "l.csv"), "--no-progress", stdout=linked)
    _, errors = _relink(source, tmp_path / "n.csv")
    named_by_link_file = [line for line in linked.getvalue().splitlines() if line.startswith("row ")]
    named_by_national = [line for line in errors.splitlines() if line.startswith("row ")]
    assert named_by_link_file == named_by_national == ["row 3: family_name is required"]
