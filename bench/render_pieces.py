"""Two whole-site pieces of an edit's render, on a pickled linked site, with one source tree: an actor timeline
per actor (builder.pages.actors.actor_timelines) and every event page's reads (builder.pages.events.event_reads).
Thread CPU, best of 5.  Alternate the trees run by run:

    .venv/bin/python bench/render_pieces.py /tmp/site10k.pickle /work/main
    .venv/bin/python bench/render_pieces.py /tmp/site10k.pickle /tmp/w-render-keys
"""

from __future__ import annotations

import pickle
import sys
import time
import types


def best(run, repeat: int = 5) -> float:
    fastest = float("inf")
    for _ in range(repeat):
        begun = time.thread_time()
        run()
        fastest = min(fastest, time.thread_time() - begun)
    return fastest * 1000


def main() -> None:
    site_file, tree = sys.argv[1], sys.argv[2]
    sys.path.insert(0, tree)
    from builder.pages import actors, events

    with open(site_file, "rb") as handle:
        site = pickle.load(handle)
    renderer = types.SimpleNamespace(event_pages={e.key: f"events/{e.slug}.html" for e in site.events},
                                     actor_pages={a.key: f"actors/{a.slug}.html" for a in site.actors})
    names = events.Names(site, renderer)
    print(tree, f"actor_timelines {best(lambda: actors.actor_timelines(site, renderer)):.1f} ms",
          f"event_reads {best(lambda: [events.event_reads(e, names, None) for e in site.events]):.1f} ms")


if __name__ == "__main__":
    main()
