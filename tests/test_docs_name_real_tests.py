"""docs/SECURITY.md, docs/AUDIT.md and docs/ARCHITECTURE.md name the tests that prove things: each must exist.

A reference is `path/to/test_file.py::test_name`, or `::test_name` for another test in the file named
just before it on the same line. A renamed or deleted test fails here until the docs say the truth.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["docs/SECURITY.md", "docs/AUDIT.md", "docs/ARCHITECTURE.md"]
REFERENCE = re.compile(r"`((?:[\w./-]+\.py)?)(?:::(\w+))?`")


def _references(doc: str) -> list[tuple[int, str, str]]:
    found = []
    for number, line in enumerate((ROOT / doc).read_text().splitlines(), start=1):
        current = ""
        for path, test in REFERENCE.findall(line):
            if path:
                current = path if "tests/" in path else ""
                if not current:
                    continue
            if current and (test or path):
                found.append((number, current, test))
    return found


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


@pytest.mark.parametrize("doc", DOCS)
def test_every_test_a_doc_names_exists_where_it_says(doc: str) -> None:
    references = _references(doc)
    assert len(references) >= 5, "the reference pattern no longer matches the doc's format"
    missing = []
    for number, path, test in references:
        file = ROOT / path
        if not file.is_file():
            missing.append(f"{doc}:{number}: {path} does not exist")
        elif test and test not in _test_names(file):
            missing.append(f"{doc}:{number}: {path}::{test} does not exist")
    assert not missing, "\n".join(missing)


def test_a_wrong_name_is_caught(tmp_path: Path) -> None:
    assert "test_every_test_a_doc_names_exists_where_it_says" in _test_names(Path(__file__))
    assert "test_that_was_never_written" not in _test_names(Path(__file__))
