"""How strong a KNOWS tie is, and what two members' careers have in common.

Strong ties carry introductions (Granovetter, "The strength of weak ties", AJS 78(6),
1973, measures strength by time, intimacy and shared contexts); here the shared contexts
the graph records stand in for them:

    strength = min(1, 0.30                                  # they know each other
                      + 0.20 · [same cohort]
                      + 0.20 · min(1, overlapping years at one employer / 3)
                        (0.10 when at one employer with unknown years)
                      + 0.05 · min(3, events both attended)
                      + 0.15 · min(1, years known / 10)
                      + 0.15 · [one mentors or mentored the other])

A path is also only as good as its brokers' willingness: each broker's answers to
introduction requests give a smoothed acceptance rate (:func:`acceptance_rate`, the mean
of a Beta posterior), and a path's strength is multiplied, per broker, by that rate over
the prior's mean (:func:`broker_factor`) — 1 for a broker who never answered, above 1 for
one who accepts more than the prior expects, below for one who declines more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from graph.projection import Projection

BASE = 0.30
COHORT = 0.20
EMPLOYMENT = 0.20
EMPLOYMENT_UNKNOWN_YEARS = 0.10
PER_EVENT = 0.05
MAX_EVENTS = 3
KNOWN = 0.15
KNOWN_FULL_YEARS = 10
MENTORSHIP = 0.15
#: Beta(α, β) prior of a broker's acceptance rate: as if every broker had accepted two
#: requests and declined two, so one answer moves the rate to 0.6 or 0.4, not to 1 or 0.
ACCEPT_PRIOR = (2.0, 2.0)


@dataclass(frozen=True, slots=True)
class SharedEmployer:
    """One employer both members worked at: ``first``–``last`` the years they overlapped.

    ``overlap`` is the number of years overlapped, 0 when they were there at different
    times and -1 when the years are not known.
    """

    employer: int
    first: int
    last: int
    overlap: int


class Held(Protocol):
    """What :func:`overlaps` reads of a position: a :class:`~graph.projection.Position`,
    or the employer and years alone."""

    @property
    def employer(self) -> int: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def _span(start: int, end: int, now: int) -> tuple[int, int] | None:
    if not start:
        return None
    return start, (end or now)


def shared_employers(p: Projection, a: int, b: int) -> list[SharedEmployer]:
    """Employers both ``a`` and ``b`` worked at, with the years they overlapped there.

    >>> p = Projection.from_rows([
    ...     ("members", [{"id": "a"}, {"id": "b"}]),
    ...     ("employers", [{"id": "krka", "props": {"name": "Krka"}}]),
    ...     ("positions", [
    ...         {"member_id": "a", "employer_id": "krka", "key": "1",
    ...          "props": {"start": "2012", "end": "2018"}},
    ...         {"member_id": "b", "employer_id": "krka", "key": "1",
    ...          "props": {"start": "2015-03", "end": "2020"}}]),
    ... ], progress_every=1e9)
    >>> shared_employers(p, 0, 1)
    [SharedEmployer(employer=0, first=2015, last=2018, overlap=4)]
    """
    mine = p.employers.of_member[a]
    theirs = p.employers.of_member[b]
    common = [e for e in mine if e in theirs]
    if not common:
        return []
    return overlaps(common, p.positions[a], p.positions[b], p.reference_year)


def overlaps(
    employers: Sequence[int], held_a: Sequence[Held], held_b: Sequence[Held], now: int
) -> list[SharedEmployer]:
    """:func:`shared_employers` of two members with positions ``held_a`` and ``held_b``
    at ``employers`` (the ones they have in common), ``now`` the current year."""
    # Each of b's spans at the employer made once rather than once per position of a, and
    # the pairs compared in the same order (a's, then b's): the first longest overlap
    # wins, as before. The reason texts ask this for most suggestions they word.
    out: list[SharedEmployer] = []
    for employer in employers:
        theirs = [(pb.start, pb.end or now) for pb in held_b if pb.employer == employer and pb.start]
        best, best_first, best_last = -1, 0, 0
        if theirs:
            for pa in held_a:
                if pa.employer != employer or not pa.start:
                    continue
                start_a, end_a = pa.start, pa.end or now
                for start_b, end_b in theirs:
                    first = start_a if start_a >= start_b else start_b
                    last = end_a if end_a <= end_b else end_b
                    overlap = last - first + 1 if first <= last else 0
                    if overlap > best:
                        best = overlap
                        best_first, best_last = (first, last) if overlap else (0, 0)
        out.append(SharedEmployer(employer, best_first, best_last, best))
    return out


def tie_strength(p: Projection, a: int, b: int) -> float:
    """The strength of the tie between ``a`` and ``b`` (Granovetter 1973; module docstring).

    >>> p = Projection.from_rows([
    ...     ("members", [{"id": "a"}, {"id": "b"}]),
    ...     ("knows", [{"a": "a", "b": "b", "props": {"since": "2010"}}]),
    ... ], reference_year=2015, progress_every=1e9)
    >>> round(tie_strength(p, 0, 1), 3)
    0.375
    """
    # One pass, no records: introductions ask this thousands of times per search, and
    # gathering the factors into a record first, then weighing them, was most of its cost.
    # tests/support/tie_strength_reference.py does it in those two steps; the tests check
    # that both give the same float (same sums in the same order).
    cohorts_b = p.cohorts.of_member[b]
    s = BASE
    if cohorts_b and any(c in cohorts_b for c in p.cohorts.of_member[a]):
        s += COHORT
    employers_b = p.employers.of_member[b]
    if employers_b:
        overlap = 0
        for employer in p.employers.of_member[a]:
            if employer in employers_b:
                shared = _overlap_at(p, a, b, employer)
                if shared > overlap or (shared == -1 and overlap == 0):
                    overlap = shared
        if overlap > 0:
            s += EMPLOYMENT * min(1.0, overlap / 3)
        elif overlap < 0:
            s += EMPLOYMENT_UNKNOWN_YEARS
    events_b = p.events.of_member[b]
    events = sum(1 for e in p.events.of_member[a] if e in events_b) if events_b else 0
    s += PER_EVENT * min(MAX_EVENTS, events)
    since = p.since_year(a, b)
    years = max(0, p.reference_year - since) if since else 0
    s += KNOWN * min(1.0, years / KNOWN_FULL_YEARS)
    if p.mentorships[a] and any(other == b for other, _ in p.mentorships[a]):
        s += MENTORSHIP
    return min(1.0, s)


def _overlap_at(p: Projection, a: int, b: int, employer: int) -> int:
    """``shared_employers(p, a, b)``'s ``overlap`` at one employer, without the records."""
    best = -1
    now = p.reference_year
    for pa in p.positions[a]:
        if pa.employer != employer or not pa.start:
            continue
        for pb in p.positions[b]:
            if pb.employer != employer or not pb.start:
                continue
            first, last = max(pa.start, pb.start), min(pa.end or now, pb.end or now)
            overlap = last - first + 1 if first <= last else 0
            if overlap > best:
                best = overlap
    return best


def acceptance_rate(p: Projection, broker: int) -> float:
    """The broker's smoothed acceptance rate: ``(accepted + α) / (answers + α + β)``, the
    posterior mean under the Beta(α, β) prior :data:`ACCEPT_PRIOR` (Gelman et al.,
    *Bayesian Data Analysis*, 3rd ed., 2013, §2.4: the beta-binomial model).

    >>> p = Projection.from_rows([("members", [{"id": "a"}])], progress_every=1e9)
    >>> acceptance_rate(p, 0)
    0.5
    >>> p.broker_answers[0] = [1, 0]
    >>> acceptance_rate(p, 0)
    0.6
    """
    alpha, beta = ACCEPT_PRIOR
    accepted, declined = p.broker_answers.get(broker, (0, 0))
    return (accepted + alpha) / (accepted + declined + alpha + beta)


def broker_factor(p: Projection, broker: int) -> float:
    """What a path through ``broker`` is worth relative to one through a broker with no
    answers yet: :func:`acceptance_rate` over the prior mean (between 0 and 2)."""
    if broker not in p.broker_answers:
        return 1.0
    alpha, beta = ACCEPT_PRIOR
    return acceptance_rate(p, broker) * (alpha + beta) / alpha
