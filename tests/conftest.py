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


@pytest.fixture(scope="session")
def analysed_text(analyse):
    """analysed_text(name, data): analyse(), once a session per distinct (name, text) (hypothesis asks for the same
    edits again), as a fresh copy each time (linking changes what it is handed)."""
    import pickle

    known: dict[tuple[str, bytes], bytes] = {}

    def of(name: str, data: bytes):
        if (name, data) not in known:
            known[(name, data)] = pickle.dumps(analyse(name, data))
        return pickle.loads(known[(name, data)])

    return of


@pytest.fixture(scope="session")
def news_days(shared_data: Path, analyse):
    """news_days(glob) -> (files, analysed): the news-2016 files the glob names, by name, and each one's analysed
    Article, pickled (each test links fresh copies: linking changes what it is handed); read and analysed once a
    session for each glob, whichever test modules ask."""
    import pickle

    from builder.model import Article

    made: dict[str, tuple[dict[str, bytes], dict[str, bytes]]] = {}

    def days(pattern: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
        if pattern not in made:
            files = {path.name: path.read_bytes() for path in sorted((shared_data / "news-2016").glob(pattern))}
            articles = {name: analyse(name, data) for name, data in files.items()}
            made[pattern] = files, {name: pickle.dumps(a) for name, a in articles.items() if isinstance(a, Article)}
        return made[pattern]

    return days


@pytest.fixture(scope="module")
def news(request, news_days) -> dict[str, bytes]:
    """The news-2016 files named by the test module's NEWS glob (news_days), by name."""
    return news_days(request.module.NEWS)[0]


@pytest.fixture(scope="module")
def analysed(request, news_days) -> dict[str, bytes]:
    """Each of those files' analysed Article, pickled, by name."""
    return news_days(request.module.NEWS)[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project folder with a seeds/ folder, for small end-to-end builds."""
    (tmp_path / "seeds").mkdir()
    return tmp_path
