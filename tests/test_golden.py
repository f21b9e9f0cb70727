"""Golden output: building seeds/ must give exactly the files saved in tests/golden/seeds/.

Any intended change to the output (templates, theme, analysis, cleaning) shows up here
as a diff; look at it, then regenerate the saved output with:

    BUILD_SITE_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py

and commit tests/golden/ together with the change that caused it.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from builder.build import build
from builder.config import Config, Paths, Settings

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "seeds"
IGNORED = {".build-site"}  # holds a fingerprint of the builder's own code: changes with every edit
IGNORED_FOLDERS = ("pagefind/",)  # the search index: a third-party bundle, tested in tests/browser/
REGENERATE = os.environ.get("BUILD_SITE_REGENERATE_GOLDEN") == "1"


def site_files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in IGNORED
        and not path.relative_to(folder).as_posix().startswith(IGNORED_FOLDERS)
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, bytes]:
    project = tmp_path_factory.mktemp("golden")
    paths = Paths.from_project(project, seeds=REPO / "seeds")
    build(Settings(config=Config(), paths=paths, jobs=1))
    return site_files(paths.output)


def test_seeds_output_matches_the_golden_files(built):
    if REGENERATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, content in built.items():
            target = GOLDEN / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        pytest.skip(f"regenerated {len(built)} golden files in {GOLDEN}")
    assert GOLDEN.is_dir(), f"no golden output yet; see {Path(__file__).name}'s docstring to create it"
    expected = site_files(GOLDEN)
    assert sorted(built) == sorted(expected), "the set of output files changed"
    changed = [name for name in expected if built[name] != expected[name]]
    if changed:
        name = changed[0]
        diff = "\n".join(
            difflib.unified_diff(
                expected[name].decode("utf-8", "replace").splitlines(),
                built[name].decode("utf-8", "replace").splitlines(),
                f"golden/{name}",
                f"built/{name}",
                lineterm="",
                n=1,
            )
        )
        pytest.fail(f"{len(changed)} file(s) differ from the golden output: {changed}\nfirst diff:\n{diff[:4000]}\n"
                    "If the change is intended: BUILD_SITE_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py")


def test_golden_output_is_linked_and_complete():
    """The saved golden site itself passes the link checker (so a regenerated golden cannot hide broken links)."""
    from tests.linkcheck import check_links

    if not GOLDEN.is_dir():
        pytest.skip("no golden output yet")
    assert [str(b) for b in check_links(GOLDEN)] == []
    assert (GOLDEN / "index.html").is_file() and (GOLDEN / "404.html").is_file()
