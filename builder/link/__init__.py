"""Link: everything that needs all articles at once (sources, slugs, actors, events).

`link_site` is imported on first use, not with the package: the per-article stage imports the modules of its
part of linking (builder.link.prepare) and must not load, nor depend on, the rest (builder.cache.ANALYSIS_CODE
keys the analysis cache by the modules it runs, this one included)."""

from __future__ import annotations

__all__ = ["link_site"]


def __getattr__(name: str) -> object:
    if name == "link_site":
        from builder.link.site import link_site

        return link_site
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
