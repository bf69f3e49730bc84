"""The floors of the house are enforced: import-linter's contracts pass, and fail on a wrong import."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _packages() -> list[str]:
    lines = (ROOT / ".importlinter").read_text().split("root_packages =", 1)[1].splitlines()[1:]
    names = []
    for line in lines:
        if not line.startswith("    "):
            break
        names.append(line.strip())
    return names


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own venv's tool, fixed arguments
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """A copy of the project's Python packages and contracts, to plant a wrong import in."""
    for package in _packages():
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_project_keeps_every_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def test_every_top_level_package_with_python_is_covered_by_the_contracts() -> None:
    covered = set(_packages())
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages <= covered, f"packages outside the floors: {packages - covered}"


@pytest.mark.parametrize(
    ("module", "planted", "complaint"),
    [
        ("vault/crypto.py", "from children.models import Child", "vault is not allowed to import children"),
        (
            "audit/services.py",
            "from accounts.services import account_suspend",
            "audit is not allowed to import",
        ),
        (
            "matching/scoring.py",
            "from access.policy import decide",
            "matching is not allowed to import access",
        ),
        (
            "children/services.py",
            "from access.policy import decide",
            "children is not allowed to import access",
        ),
        ("accounts/services.py", "from oversight.services import alert_raise", "accounts is not allowed"),
        (
            "children/search.py",
            "from children.views import search",
            "children.search is not allowed to import",
        ),
    ],
)
def test_a_wrong_import_breaks_a_contract(tree_copy: Path, module: str, planted: str, complaint: str) -> None:
    target = tree_copy / module
    target.write_text(target.read_text() + f"\n{planted}  # noqa\n")
    result = _lint(tree_copy)
    assert result.returncode != 0
    assert complaint in " ".join(result.stdout.split())
