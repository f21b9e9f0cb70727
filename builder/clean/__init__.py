"""Clean: remove scraper boilerplate, lift in-text metadata, repair glued sentences."""

from builder.clean.cleaner import clean_article
from builder.clean.rules import load_rules

__all__ = ["clean_article", "load_rules"]
