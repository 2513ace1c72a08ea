"""Tie strength in two readable steps — what a tie's two members share, then what that
weighs — to check the fused :func:`graph.algorithms.tie_strength.tie_strength` against."""

from __future__ import annotations

from dataclasses import dataclass

from graph.algorithms.tie_strength import (
    BASE,
    COHORT,
    EMPLOYMENT,
    EMPLOYMENT_UNKNOWN_YEARS,
    KNOWN,
    KNOWN_FULL_YEARS,
    MAX_EVENTS,
    MENTORSHIP,
    PER_EVENT,
    shared_employers,
)
from graph.projection import Projection


@dataclass(frozen=True, slots=True)
class TieFactors:
    """The evidence behind a tie's strength."""

    same_cohort: bool
    overlap_years: int  # -1 at one employer, years unknown; 0 none
    shared_events: int
    years_known: int
    mentorship: bool


def tie_factors(p: Projection, a: int, b: int) -> TieFactors:
    """What ``a`` and ``b`` share, as the tie strength weighs it."""
    # most pairs share nothing; the empty checks keep the common case cheap
    cohorts_b = p.cohorts.of_member[b]
    same_cohort = bool(cohorts_b) and any(c in cohorts_b for c in p.cohorts.of_member[a])
    overlap = 0
    employers_b = p.employers.of_member[b]
    if employers_b and any(e in employers_b for e in p.employers.of_member[a]):
        for shared in shared_employers(p, a, b):
            if shared.overlap > overlap or (shared.overlap == -1 and overlap == 0):
                overlap = shared.overlap
    events_b = p.events.of_member[b]
    events = sum(1 for e in p.events.of_member[a] if e in events_b) if events_b else 0
    since = p.since_year(a, b)
    years = max(0, p.reference_year - since) if since else 0
    mentorship = bool(p.mentorships[a]) and any(other == b for other, _ in p.mentorships[a])
    return TieFactors(same_cohort, overlap, events, years, mentorship)


def strength_of(f: TieFactors) -> float:
    """The strength (0.3–1.0) the factors add up to (:mod:`graph.algorithms.tie_strength`)."""
    s = BASE
    if f.same_cohort:
        s += COHORT
    if f.overlap_years > 0:
        s += EMPLOYMENT * min(1.0, f.overlap_years / 3)
    elif f.overlap_years < 0:
        s += EMPLOYMENT_UNKNOWN_YEARS
    s += PER_EVENT * min(MAX_EVENTS, f.shared_events)
    s += KNOWN * min(1.0, f.years_known / KNOWN_FULL_YEARS)
    if f.mentorship:
        s += MENTORSHIP
    return min(1.0, s)
