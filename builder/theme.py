"""Where the built-in theme lives: templates/ and site/static/ of the project.

In a source checkout (and an editable install) they are the repository's own
top-level folders; in a wheel they are packaged under builder/_theme/.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_PACKAGED = _PACKAGE / "_theme"
_CHECKOUT = _PACKAGE.parent


def _first_existing(*candidates: Path) -> list[Path]:
    return [path for path in candidates if path.is_dir()][:1]


def builtin_template_dirs() -> list[Path]:
    return _first_existing(_PACKAGED / "templates", _CHECKOUT / "templates")


def builtin_static_dirs() -> list[Path]:
    return _first_existing(_PACKAGED / "static", _CHECKOUT / "site" / "static")
