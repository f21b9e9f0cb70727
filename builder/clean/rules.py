"""Boilerplate rules as data: the builder's own file plus the user's `site/boilerplate.toml`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Rules:
    """Placeholder until the rule file lands."""


def load_rules(site_dir: Path) -> Rules:
    return Rules()
