"""Members with many connections in circles, for the drawing of "My network" (the web test
and ``bench/network_draw.py``)."""

from __future__ import annotations

from graph.normalize import name_key
from graph.store import Store

CIRCLE = 50  # connections per circle
CITIES = ("Kranj", "Celje", "Koper", "Ptuj", "Velenje", "Novo mesto")


def add_hub(store: Store, hub: str, connections: int) -> None:
    """``hub`` knows ``connections`` members in circles of :data:`CIRCLE`, the members of
    one circle tied in a ring with chords; the last three know no one else."""
    people = [f"{hub}-{i:04d}" for i in range(connections)]
    store.upsert_members(
        [
            {
                "id": hub,
                "props": {
                    "name": f"Središče {hub}",
                    "name_key": name_key(f"Središče {hub}"),
                    "role": "alumnus",
                },
            }
        ]
        + [
            {
                "id": p,
                "props": {
                    "name": f"Oseba {p}",
                    "name_key": name_key(f"Oseba {p}"),
                    "role": "alumnus",
                    "city": CITIES[(i // CIRCLE) % len(CITIES)],
                },
            }
            for i, p in enumerate(people)
        ]
    )
    ties = [{"a": hub, "b": p, "props": {"since": str(2000 + i % 20)}} for i, p in enumerate(people)]
    tied = people[:-3]
    for start in range(0, len(tied), CIRCLE):
        circle = tied[start : start + CIRCLE]
        for j, p in enumerate(circle):
            for step in (1, 7):
                if len(circle) > step:
                    ties.append({"a": p, "b": circle[(j + step) % len(circle)], "props": {}})
    for chunk in range(0, len(ties), 2000):
        store.merge_knows(ties[chunk : chunk + 2000])
