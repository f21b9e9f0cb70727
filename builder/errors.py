"""Errors that speak to the user: the CLI prints their message, never a traceback."""

from __future__ import annotations

import click


class BuildError(click.ClickException):
    """The build cannot go on; the message says why and what to do."""


class ConfigError(BuildError):
    """The site configuration is invalid."""


class UnsafeOutputError(BuildError):
    """The output folder is somewhere the builder must not write."""


class StrictModeError(BuildError):
    """--strict was given and some input had a problem."""


class TemplateError(BuildError):
    """A template (the user's or the built-in theme's) cannot be read or rendered."""
