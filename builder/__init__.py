"""build-site: turn a folder of raw news articles into a cross-linked static site."""

__version__ = "0.1.0"
