"""Site configuration: `site/config.toml`, validated in one pass.

Every bad key is reported, then the build aborts once (MkDocs' habit), so a
user fixes all their mistakes in one go.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from builder.errors import ConfigError

CONFIG_NAME = "config.toml"


@dataclass(frozen=True)
class Config:
    """Settings a user may put in `site/config.toml` (all optional)."""

    title: str = "News digest"
    description: str = "A cross-linked digest of news articles."
    base_url: str = ""  # e.g. "https://user.github.io/repo/"; needed for feeds and sitemap
    timezone: str = "UTC"  # the zone of dates that carry none
    language: str = "en"
    articles_per_page: int = 50
    summary_sentences: int = 3
    excerpts_only: bool = False  # publish summary + first paragraph instead of full texts
    noindex: bool = False  # ask search engines not to index the site
    recogniser: str = "rules"  # named-entity recogniser: "rules" or "spacy"
    event_weights: str = "reference"  # event grouping's word weights: "reference" or "site" (builder/link/reference.py)


@dataclass(frozen=True)
class Paths:
    """Where the build reads from and writes to."""

    seeds: Path
    output: Path
    site: Path  # the user's site folder: config.toml, static/, rules, curation
    templates: Path  # the user's templates, tried before the built-in ones
    cache: Path

    @classmethod
    def from_project(
        cls,
        project: Path,
        seeds: Path | None = None,
        output: Path | None = None,
        cache: Path | None = None,
    ) -> Paths:
        project = project.resolve()
        return cls(
            seeds=(seeds or project / "seeds").resolve(),
            output=(output or project / "output").resolve(),
            site=project / "site",
            templates=project / "templates",
            cache=(cache or project / ".cache" / "build-site").resolve(),
        )


@dataclass(frozen=True)
class Settings:
    config: Config
    paths: Paths
    strict: bool = False
    jobs: int = 1
    overrides: dict[str, object] = field(default_factory=dict)  # command-line values over config.toml (base_url)


_TYPES = {f.name: f.type for f in fields(Config)}


def load_config(site_dir: Path, overrides: dict[str, object] | None = None) -> Config:
    """Read `config.toml` from the site folder; report every bad key, then fail once."""
    raw: dict[str, object] = {}
    path = site_dir / CONFIG_NAME
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    raw.update({k: v for k, v in (overrides or {}).items() if v is not None})

    errors: list[str] = []
    values: dict[str, object] = {}
    for key, value in raw.items():
        expected = _TYPES.get(key)
        if expected is None:
            errors.append(f"unknown key {key!r} (known keys: {', '.join(sorted(_TYPES))})")
            continue
        python_type = {"str": str, "int": int, "bool": bool}[expected]
        if not isinstance(value, python_type) or (python_type is int and isinstance(value, bool)):
            errors.append(f"{key!r} must be {expected}, not {type(value).__name__} {value!r}")
            continue
        values[key] = value

    config = Config(**values)  # type: ignore[arg-type]
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(f"'timezone' {config.timezone!r} is not a known time zone (e.g. 'UTC', 'Europe/Paris')")
    if config.recogniser not in ("rules", "spacy"):
        errors.append(f"'recogniser' must be 'rules' or 'spacy', not {config.recogniser!r}")
    if config.event_weights not in ("site", "reference"):
        errors.append(f"'event_weights' must be 'site' or 'reference', not {config.event_weights!r}")
    if config.articles_per_page < 1:
        errors.append("'articles_per_page' must be at least 1")
    if not 1 <= config.summary_sentences <= 10:
        errors.append("'summary_sentences' must be between 1 and 10")
    if config.base_url and not config.base_url.startswith(("http://", "https://")):
        given = " (given with --base-url)" if (overrides or {}).get("base_url") else ""
        errors.append(f"'base_url' must start with http:// or https://, not {config.base_url!r}{given}")
    if errors:
        raise ConfigError(f"{path}: " + "; ".join(errors))
    if config.base_url and not config.base_url.endswith("/"):
        config = Config(**{**values, "base_url": config.base_url + "/"})  # type: ignore[arg-type]
    return config
