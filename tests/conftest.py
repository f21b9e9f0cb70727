"""Shared fixtures: where the real data lives, and small projects in tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def shared_data_path() -> Path:
    return Path(os.environ.get("BUILD_SITE_DATA", REPO.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder (../shared/data or $BUILD_SITE_DATA).

    Missing data skips the test locally but fails it in CI, where it must be present.
    """
    path = shared_data_path()
    if not path.is_dir():
        message = f"real data not found at {path} (set BUILD_SITE_DATA)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def analyse(tmp_path_factory):
    """analyse(relpath, data): one file read, cleaned and analysed as a build does (an Article, or a Problem),
    with the default configuration and rules."""
    import hashlib

    from builder.build import article_context, process_source
    from builder.config import Config
    from builder.model import SourceFile

    context = article_context(tmp_path_factory.mktemp("site"), Config())

    def analyse_file(relpath: str, data: bytes):
        return process_source(SourceFile(relpath, data, hashlib.sha256(data).hexdigest()), context)

    return analyse_file


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project folder with a seeds/ folder, for small end-to-end builds."""
    (tmp_path / "seeds").mkdir()
    return tmp_path
