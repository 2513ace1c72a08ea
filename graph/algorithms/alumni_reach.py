"""Which alumni at a target employer a student should approach first.

Each alumnus is scored on two things a career office weighs:

* **reach** — the strength of the best introduction path from the student (the product
  of tie strengths along it, :mod:`graph.algorithms.introductions`), found for all the
  employer's alumni in one meet-in-the-middle search rather than one search each;
* **relevance** — the same programme as the student, and skills the alumnus holds that the
  student has or wants to learn.

``score = REACH_WEIGHT · reach + (1 − REACH_WEIGHT) · relevance``, both in 0–1: an
alumnus who can be reached is worth more than a similar one who cannot, yet a perfect
match two weak hops away still beats a stranger one strong hop away.

Pure functions on the projection; no I/O. Paths obey the same consent as introductions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graph import consent
from graph.algorithms.introductions import MAX_HOPS, candidate_paths
from graph.algorithms.tie_strength import tie_strength
from graph.projection import Projection

REACH_WEIGHT = 0.6
#: Shared skills beyond this many add nothing more to relevance.
SKILLS_FOR_FULL_MARKS = 4


@dataclass(frozen=True)
class BestPath:
    members: tuple[int, ...]
    strength: float

    @property
    def hops(self) -> int:
        return len(self.members) - 1


@dataclass(frozen=True)
class Reachability:
    member: int
    score: float
    reach: float
    relevance: float
    path: BestPath | None
    same_program: tuple[int, ...]  # programme codes shared with the student
    shared_skills: tuple[int, ...]  # skill codes the alumnus has and the student has or wants


def best_paths(
    p: Projection, source: int, targets: Iterable[int], max_hops: int = MAX_HOPS
) -> dict[int, BestPath]:
    """The strongest allowed path from ``source`` to each reachable target (one search)."""
    wanted = {t for t in targets if t != source and consent.discoverable_at(p, t)}
    if not wanted or not p.adj[source]:
        return {}
    cache: dict[tuple[int, int], float] = {}

    def strength(a: int, b: int) -> float:
        key = (a, b) if a < b else (b, a)
        s = cache.get(key)
        if s is None:
            s = cache[key] = tie_strength(p, a, b)
        return s

    best: dict[int, BestPath] = {}
    for path in candidate_paths(p, source, wanted, max_hops):
        if len(set(path)) != len(path) or not consent.path_allowed(p, path):
            continue
        product = 1.0
        for a, b in zip(path, path[1:], strict=False):
            product *= strength(a, b)
        _keep(best, BestPath(path, product))
    # the joint search keeps targets off each other's paths (for a company they are ends,
    # not brokers); here a colleague may well introduce a colleague, so extend the paths
    # found through targets who may broker, strongest first, while hops allow
    frontier = sorted(best.values(), key=lambda b: -b.strength)
    while frontier:
        grown = []
        for found in frontier:
            end = found.members[-1]
            if found.hops >= max_hops or not consent.broker_at(p, end):
                continue
            for nxt in p.adj[end]:
                if nxt in wanted and nxt not in found.members:
                    longer = BestPath((*found.members, nxt), found.strength * strength(end, nxt))
                    if _keep(best, longer):
                        grown.append(longer)
        frontier = grown
    return {t: BestPath(b.members, round(b.strength, 9)) for t, b in best.items()}


def _keep(best: dict[int, BestPath], path: BestPath) -> bool:
    """Keep ``path`` if it is the strongest (then shortest) to its end so far."""
    end = path.members[-1]
    old = best.get(end)
    if old is None or (path.strength, -path.hops) > (old.strength, -old.hops):
        best[end] = path
        return True
    return False


def rank_for_student(p: Projection, student: int, alumni: Iterable[int]) -> list[Reachability]:
    """``alumni`` scored for ``student`` (module docstring), best first; the student left out."""
    alumni = [m for m in alumni if m != student]
    paths = best_paths(p, student, alumni)
    programs = set(p.programs.of_member[student])
    interests = set(p.skills.of_member[student]) | set(p.wants.of_member[student])
    out = []
    for m in alumni:
        path = paths.get(m)
        reach = path.strength if path else 0.0
        same = tuple(sorted(programs.intersection(p.programs.of_member[m])))
        skills = tuple(sorted(interests.intersection(p.skills.of_member[m])))
        relevance = 0.5 * bool(same) + 0.5 * min(len(skills), SKILLS_FOR_FULL_MARKS) / SKILLS_FOR_FULL_MARKS
        score = REACH_WEIGHT * reach + (1 - REACH_WEIGHT) * relevance
        out.append(Reachability(m, round(score, 6), reach, relevance, path, same, skills))
    out.sort(key=lambda r: (-r.score, r.path.hops if r.path else MAX_HOPS + 1, p.ids[r.member]))
    return out
