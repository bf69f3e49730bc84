"""Every tests/ folder in the repository is collected by pytest's own configuration.

oversight/tests once sat outside `testpaths`, so `make test`, `make coverage` and CI never ran the
tests that docs/SECURITY.md cites for the misuse rules. This asks pytest itself, with the settings it
is running under, whether it would walk into each folder.
"""

import fnmatch
import os
from pathlib import Path

import pytest

# Folders that are never part of the project's tests: version control, the virtualenv, local data.
NOT_THE_PROJECTS = {".git", ".venv", "var", "node_modules"}


def _tests_folders(root: Path) -> list[Path]:
    found = []
    for folder, subfolders, _files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in NOT_THE_PROJECTS)
        if Path(folder).name == "tests":
            found.append(Path(folder))
    return found


def _ignored_on_the_way(path: Path, config: pytest.Config) -> Path | None:
    """The first folder from the root down to `path` that pytest would not recurse into, if any."""
    root = config.rootpath
    for depth in range(1, len(path.relative_to(root).parts) + 1):
        step = root.joinpath(*path.relative_to(root).parts[:depth])
        if config.hook.pytest_ignore_collect(collection_path=step, config=config):
            return step
    return None


def _outside_testpaths(path: Path, config: pytest.Config) -> bool:
    testpaths = config.getini("testpaths")
    if not testpaths:
        return False
    return not any(path.is_relative_to(config.rootpath / entry) for entry in testpaths)


def uncollected_tests_folders(config: pytest.Config) -> list[str]:
    """Each tests/ folder pytest would skip, with why: the list this test wants empty."""
    patterns = config.getini("python_files")
    problems = []
    for folder in _tests_folders(config.rootpath):
        name = folder.relative_to(config.rootpath).as_posix()
        ignored = _ignored_on_the_way(folder, config)
        if ignored is not None:
            problems.append(f"{name}: pytest does not recurse into {ignored.name}/")
        elif _outside_testpaths(folder, config):
            problems.append(f"{name}: not under testpaths {config.getini('testpaths')}")
        elif not any(fnmatch.fnmatch(file.name, p) for file in folder.rglob("*.py") for p in patterns):
            problems.append(f"{name}: no file matches python_files {patterns}")
    return problems


def test_every_tests_folder_in_the_repository_is_collected(pytestconfig: pytest.Config):
    folders = _tests_folders(pytestconfig.rootpath)
    assert pytestconfig.rootpath / "oversight" / "tests" in folders
    assert uncollected_tests_folders(pytestconfig) == []


def test_a_tests_folder_left_out_of_testpaths_is_reported(pytestconfig: pytest.Config, monkeypatch):
    """The check can fail: with the old `testpaths` list, oversight/tests is reported."""
    original = pytestconfig.getini

    def old_ini(name: str):
        if name == "testpaths":
            return ["accounts", "access", "children", "vault", "audit", "matching", "tests"]
        return original(name)

    monkeypatch.setattr(pytestconfig, "getini", old_ini)
    assert any(p.startswith("oversight/tests:") for p in uncollected_tests_folders(pytestconfig))


def test_a_tests_folder_under_a_skipped_directory_is_reported(pytestconfig: pytest.Config, monkeypatch):
    original = pytestconfig.getini

    def skipping_oversight(name: str):
        return [*original(name), "oversight"] if name == "norecursedirs" else original(name)

    monkeypatch.setattr(pytestconfig, "getini", skipping_oversight)
    assert "oversight/tests: pytest does not recurse into oversight/" in uncollected_tests_folders(
        pytestconfig
    )
