"""Clean: remove scraper boilerplate, lift in-text metadata, repair glued sentences.

    load_rules(site_dir) -> Rules                      the builder's rules + site/boilerplate.toml (ConfigError if bad)
    clean_article(article, rules) -> Article | Problem  pure; fills blocks, removals and credits of a copy

Rules are data (builder/clean/boilerplate.toml); the steps are in cleaner.STEPS; metadata.py reads
bylines, datelines and credit lines; glue.py repairs glued sentences and fused words, using the
word lists of lexicon.py (shipped, generated from installed packages).
"""

from builder.clean.cleaner import clean_article
from builder.clean.rules import Rules, load_rules

__all__ = ["Rules", "clean_article", "load_rules"]
