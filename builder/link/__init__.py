"""Link: everything that needs all articles at once (sources, slugs, actors, events)."""

from builder.link.site import link_site

__all__ = ["link_site"]
