"""Who could mentor me: senior members open to mentoring, ranked by how well they fit.

The fit of mentor r for mentee e is a weighted sum in [0, 1], each part a reason:

    fit(e, r) = W_wants    · Σ_{s ∈ wants(e) ∩ skills(r)} w(s) / Σ_{s ∈ wants(e)} w(s)
              + W_program  · [they share a programme]
              + W_industry · [r works now in an industry e works in now]
              + W_network  · proximity(e, r)
              + W_senior   · (⅓ + ⅔ · min(1, years ahead / 15))
              + W_city     · [same city]

* w(s) = ½ + ½·rarity(s), rarity = ln(N/n_s)/ln N (Spärck Jones 1972, as in
  :mod:`graph.algorithms.suggestions`): knowing a rare skill the mentee wants weighs more.
  With a ``skill`` asked for, wants(e) is that skill alone and only mentors who know it
  are ranked.
* proximity is 1 for members who know each other, 0.6 + 0.1·(k − 1) (at most 1) for a
  mentor two hops away through k mutual connections who may introduce them
  (:func:`graph.consent.broker_at`), and 0 for a stranger — a warm introduction makes a
  mentoring relationship far likelier to start (Granovetter, "The strength of weak ties",
  AJS 78(6), 1973).
* "Senior" is the eligibility rule: a mentor graduated earlier than the mentee, or, when
  either graduation year is unknown, has more years at work (from the earliest position,
  else the graduation year). Students never mentor.

Eligible mentors are alive, discoverable and open to mentoring (:func:`graph.consent.mentor_at`),
with capacity left: ``mentor_capacity`` (an open mentor who stated none, or 0, counts as
one) minus the mentees they mentor now — MENTORS without ``until``, or with ``until``
still ahead (a partial date such as ``2025-06`` runs to the end of that month).

Scoring is vectorised over a :class:`MentorPool` (numpy arrays over the pool's mentors):
one mentee costs a few array operations over the holders of its skills and programmes
and its two-hop neighbourhood, never a loop over every mentor. The default pool (everyone
open to mentoring) is cached per projection version.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from graph import consent
from graph.algorithms.suggestions import Reason, rarity
from graph.model import MemberRole
from graph.projection import ROLES, Projection

#: Weights of the fit's parts; they sum to 1, so a fit is in [0, 1].
W_WANTS = 0.45
W_PROGRAM = 0.15
W_INDUSTRY = 0.12
W_NETWORK = 0.15
W_SENIOR = 0.08
W_CITY = 0.05
#: Years ahead at which the seniority part is full.
SENIORITY_YEARS = 15
#: Capacity of a member open to mentoring who has not said how many mentees they take.
DEFAULT_CAPACITY = 1
#: Mutual connections named in a reason.
MAX_NAMED = 3

_STUDENT = ROLES.index(MemberRole.STUDENT.value)


def today_iso() -> str:
    return date.today().isoformat()


def still_running(until: str, today: str) -> bool:
    """Does a mentorship that ends ``until`` still run on ``today`` (both ISO text)?

    Empty means open-ended. A partial date runs to the end of its year or month.

    >>> still_running("", "2025-06-10"), still_running("2025-06", "2025-06-10")
    (True, True)
    >>> still_running("2025-06-10", "2025-06-10"), still_running("2024", "2025-01-01")
    (False, False)
    """
    if not until:
        return True
    head = today[: len(until)]
    return until > head if len(until) >= 10 else until >= head


def active_mentees(p: Projection, mentor: int, today: str | None = None) -> list[int]:
    """The members ``mentor`` mentors now (MENTORS without a past ``until``)."""
    today = today or today_iso()
    ends = p.mentorship_until
    return [
        b
        for b, direction in p.mentorships[mentor]
        if direction > 0 and still_running(ends.get((mentor, b), ""), today)
    ]


def capacity_of(p: Projection, mentor: int) -> int:
    """How many mentees ``mentor`` takes at once (see :data:`DEFAULT_CAPACITY`)."""
    return p.mentor_capacity[mentor] if p.mentor_capacity[mentor] > 0 else DEFAULT_CAPACITY


def experience_years(p: Projection, m: int) -> int:
    """Years at work: since the earliest position's start, else since graduating; 0 unknown."""
    starts = [pos.start for pos in p.positions[m] if pos.start]
    first = min(starts) if starts else p.graduation_year[m]
    return max(0, p.reference_year - first) if first else 0


def current_industries(p: Projection, m: int) -> tuple[int, ...]:
    return tuple(
        {
            p.employer_industry[pos.employer]
            for pos in p.positions[m]
            if pos.end == 0 and p.employer_industry[pos.employer] >= 0
        }
    )


def current_employers(p: Projection, m: int) -> tuple[int, ...]:
    return tuple({pos.employer for pos in p.positions[m] if pos.end == 0})


def _copy(values: Iterable[int] | bytearray, dtype: type) -> np.ndarray:
    # np.array copies in one C call; a view (np.frombuffer) would pin the projection's
    # growing arrays and make a concurrent append fail
    return np.array(values, dtype=dtype)


# -- the pool of mentors ----------------------------------------------------------------


@dataclass
class MentorPool:
    """Mentors as parallel numpy arrays; ``pos_of[member]`` is a member's position or −1.

    ``left`` is the capacity left (0 for a full mentor, who stays in the pool so that a
    mentee can be told its mentors are full rather than that it has none).
    """

    members: np.ndarray
    pos_of: np.ndarray
    capacity: np.ndarray
    left: np.ndarray
    grad: np.ndarray
    experience: np.ndarray
    city: np.ndarray
    industries: list[tuple[int, ...]]
    employers: list[tuple[int, ...]]
    mentees: list[tuple[int, ...]]
    by_industry: dict[int, np.ndarray] = field(default_factory=dict)
    by_employer: dict[int, np.ndarray] = field(default_factory=dict)
    today: str = ""

    def __len__(self) -> int:
        return len(self.members)


def _index(lists: Sequence[tuple[int, ...]]) -> dict[int, np.ndarray]:
    found: dict[int, list[int]] = {}
    for position, values in enumerate(lists):
        for v in values:
            found.setdefault(v, []).append(position)
    return {v: np.array(ps, dtype=np.int32) for v, ps in found.items()}


def open_mentors(p: Projection) -> np.ndarray:
    """Every member :func:`graph.consent.mentor_at` allows, as indices (vectorised)."""
    flags = np.frombuffer(bytes(p.flags), dtype=np.uint8)
    alive = np.frombuffer(bytes(p.alive), dtype=np.uint8)
    role = np.frombuffer(bytes(p.role), dtype=np.uint8)
    need = consent.DISCOVERABLE | consent.OPEN_TO_MENTOR
    n = min(len(flags), len(alive), len(role))
    ok = (alive[:n] > 0) & ((flags[:n] & need) == need) & (role[:n] != _STUDENT)
    found = np.flatnonzero(ok).astype(np.int32)
    # the last gate is the consent module itself
    return np.array([m for m in found if consent.mentor_at(p, int(m))], dtype=np.int32)


def mentor_pool(
    p: Projection, mentors: Iterable[int] | None = None, *, today: str | None = None
) -> MentorPool:
    """The pool of ``mentors`` (default: everyone open to mentoring) as of ``today``.

    Members who may not mentor (:func:`graph.consent.mentor_at`) or are students are left
    out; the caller tells them apart with :func:`mentor_refusal`.
    """
    today = today or today_iso()
    if mentors is None:
        members = open_mentors(p)
    else:
        members = np.array(
            sorted({m for m in mentors if consent.mentor_at(p, m) and p.role[m] != _STUDENT}), dtype=np.int32
        )
    pos_of = np.full(len(p.ids), -1, dtype=np.int32)
    pos_of[members] = np.arange(len(members), dtype=np.int32)
    listed = [int(m) for m in members]
    mentees = [tuple(active_mentees(p, m, today)) for m in listed]
    capacity = np.array([capacity_of(p, m) for m in listed], dtype=np.int32)
    busy = np.array([len(x) for x in mentees], dtype=np.int32)
    industries = [current_industries(p, m) for m in listed]
    employers = [current_employers(p, m) for m in listed]
    city = np.array([c if (c := p.city(m)) is not None else -1 for m in listed], dtype=np.int32)
    return MentorPool(
        members=members,
        pos_of=pos_of,
        capacity=capacity,
        left=np.maximum(capacity - busy, 0),
        grad=np.array([p.graduation_year[m] for m in listed], dtype=np.int32),
        experience=np.array([experience_years(p, m) for m in listed], dtype=np.int32),
        city=city.reshape(-1),
        industries=industries,
        employers=employers,
        mentees=mentees,
        by_industry=_index(industries),
        by_employer=_index(employers),
        today=today,
    )


def mentor_refusal(p: Projection, m: int) -> str | None:
    """Why ``m`` may not be a mentor, or None when it may."""
    if not p.alive[m]:
        return "no such member"
    if not p.flags[m] & consent.OPEN_TO_MENTOR:
        return "not open to mentoring"
    if not consent.mentor_at(p, m):
        return "not discoverable"
    if p.role[m] == _STUDENT:
        return "a student"
    return None


_POOLS: weakref.WeakKeyDictionary[Projection, tuple[int, str, MentorPool]] = weakref.WeakKeyDictionary()
_POOLS_LOCK = threading.Lock()


def default_pool(p: Projection, today: str | None = None) -> MentorPool:
    """Everyone open to mentoring, cached until the projection's version (or the day) changes."""
    today = today or today_iso()
    cached = _POOLS.get(p)
    if cached is not None and cached[0] == p.version and cached[1] == today:
        return cached[2]
    version = p.version  # read before building: a write meanwhile makes the next call rebuild
    pool = mentor_pool(p, today=today)
    with _POOLS_LOCK:
        _POOLS[p] = (version, today, pool)
    return pool


# -- fit, vectorised over a pool ---------------------------------------------------------


@dataclass
class Fit:
    """One mentee against every mentor of a pool: the parts of the fit and who is eligible."""

    mentee: int
    wanted: tuple[int, ...]
    coverage: np.ndarray  # share of the wanted skills' weight the mentor knows, 0–1
    program: np.ndarray  # bool
    industry: np.ndarray  # bool
    proximity: np.ndarray  # 0–1
    mutuals: np.ndarray  # mutual connections who may broker
    ahead: np.ndarray  # years of experience ahead of the mentee
    city: np.ndarray  # bool
    eligible: np.ndarray  # bool: senior, not the mentee, not already its mentor

    @property
    def score(self) -> np.ndarray:
        return (
            W_WANTS * self.coverage
            + W_PROGRAM * self.program
            + W_INDUSTRY * self.industry
            + W_NETWORK * self.proximity
            + W_SENIOR * (1 / 3 + 2 / 3 * np.clip(self.ahead / SENIORITY_YEARS, 0, 1))
            + W_CITY * self.city
        )


def _positions(pool: MentorPool, members: Iterable[int] | np.ndarray) -> np.ndarray:
    arr = members if isinstance(members, np.ndarray) else _copy(members, np.int32)
    if not len(arr):
        return arr
    pos = pool.pos_of[arr]
    return pos[pos >= 0]


def skill_weight(p: Projection, skill: int) -> float:
    return 0.5 + 0.5 * rarity(p.skills.count(skill), max(p.n_members, 2))


def fit(p: Projection, pool: MentorPool, mentee: int, *, wanted: Sequence[int] | None = None) -> Fit:
    """The parts of the fit of every mentor in ``pool`` for ``mentee``.

    ``wanted`` (skill codes) replaces the mentee's own learning goals.
    """
    size = len(pool)
    wanted = tuple(p.wants.of_member[mentee] if wanted is None else wanted)
    coverage = np.zeros(size)
    if wanted:
        weights = [skill_weight(p, s) for s in wanted]
        for s, w in zip(wanted, weights, strict=True):
            coverage[_positions(pool, p.skills.holders(s))] += w
        coverage /= sum(weights)

    program = np.zeros(size, dtype=bool)
    for prog in p.programs.of_member[mentee]:
        program[_positions(pool, p.programs.holders(prog))] = True
    industry = np.zeros(size, dtype=bool)
    for code in current_industries(p, mentee):
        found = pool.by_industry.get(code)
        if found is not None:
            industry[found] = True

    proximity, mutuals = _proximity(p, pool, mentee)

    experience = experience_years(p, mentee)
    ahead = pool.experience - experience
    grad = p.graduation_year[mentee]
    both = (pool.grad > 0) & (grad > 0)
    senior = np.where(both, pool.grad < grad, ahead > 0)
    eligible = senior & (pool.members != mentee)
    current = [pool.pos_of[b] for b, d in p.mentorships[mentee] if d < 0 and pool.pos_of[b] >= 0]
    if current:
        mine = [q for q in current if mentee in pool.mentees[q]]
        eligible[mine] = False  # already its mentor
    city_code = p.city(mentee)
    city = (pool.city == city_code) if city_code is not None else np.zeros(size, dtype=bool)
    return Fit(
        mentee, wanted, coverage, program, industry, proximity, mutuals, np.maximum(ahead, 0), city, eligible
    )


def _proximity(p: Projection, pool: MentorPool, mentee: int) -> tuple[np.ndarray, np.ndarray]:
    size = len(pool)
    proximity = np.zeros(size)
    mutuals = np.zeros(size, dtype=np.int32)
    mine = p.adj[mentee]
    if not len(mine):
        return proximity, mutuals
    rows = [p.adj[w] for w in mine if consent.broker_at(p, w)]
    if rows:
        reach = _positions(pool, np.concatenate([_copy(r, np.int32) for r in rows]))
        if len(reach):
            mutuals = np.bincount(reach, minlength=size).astype(np.int32)
            proximity = np.where(mutuals > 0, np.minimum(1.0, 0.6 + 0.1 * (mutuals - 1)), 0.0)
    proximity[_positions(pool, mine)] = 1.0
    return proximity, mutuals


# -- reasons -------------------------------------------------------------------------


def _listing(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def explain(p: Projection, pool: MentorPool, f: Fit, q: int) -> list[Reason]:
    """The reasons mentor ``pool.members[q]`` fits ``f.mentee``, each with its part of the fit."""
    mentor = int(pool.members[q])
    mentee = f.mentee
    reasons: list[Reason] = []
    if f.coverage[q] > 0:
        theirs = p.skills.of_member[mentor]
        known = [s for s in f.wanted if s in theirs]
        names = [p.skill_names.names[s] for s in known]
        detail = f"knows {_listing(names)}"
        if len(f.wanted) > 1:
            detail += f" — {len(known)} of the {len(f.wanted)} skills you want to learn"
        reasons.append(Reason("has_skills_you_want", detail, W_WANTS * float(f.coverage[q])))
    if f.program[q]:
        shared = [v for v in p.programs.of_member[mentee] if v in p.programs.of_member[mentor]]
        years = sorted(
            p.cohort_year[c]
            for c in p.cohorts.of_member[mentor]
            if p.cohort_program[c] in shared and p.cohort_year[c]
        )
        label = _listing([p.programs.vocab.names[v] for v in shared])
        detail = f"also studied {label}" + (f" (class of {years[0]})" if years else "")
        reasons.append(Reason("same_program", detail, W_PROGRAM))
    if f.industry[q] and consent.shares_employer_at(p, mentor):
        common = sorted(set(current_industries(p, mentee)) & set(pool.industries[q]))
        reasons.append(
            Reason(
                "same_industry",
                "works in " + _listing([p.industries.names[i] for i in common]) + ", like you",
                W_INDUSTRY,
            )
        )
    if f.proximity[q] > 0:
        if mentor in p.adj[mentee]:
            detail = "you already know each other"
        else:
            named = consent.visible_members(
                p,
                sorted(
                    (w for w in p.adj[mentee] if consent.broker_at(p, w) and w in p.adj[mentor]),
                    key=lambda w: p.names[w],
                ),
            )
            k = int(f.mutuals[q])
            noun = "mutual connection" if k == 1 else "mutual connections"
            detail = f"{k} {noun} who can introduce you"
            if named:
                detail += (
                    ": "
                    + ", ".join(p.names[w] for w in named[:MAX_NAMED])
                    + (", …" if len(named) > MAX_NAMED else "")
                )
        reasons.append(Reason("close_in_network", detail, W_NETWORK * float(f.proximity[q])))
    ahead = int(f.ahead[q])
    grad_r, grad_e = p.graduation_year[mentor], p.graduation_year[mentee]
    if grad_r and grad_e and grad_r < grad_e:
        detail = f"graduated {grad_e - grad_r} years before you"
    elif ahead > 0:
        detail = f"{ahead} more years at work"
    else:
        detail = "further along in their career"
    reasons.append(
        Reason("more_senior", detail, W_SENIOR * (1 / 3 + 2 / 3 * min(1.0, ahead / SENIORITY_YEARS)))
    )
    if f.city[q]:
        city = p.city(mentor)
        assert city is not None
        reasons.append(Reason("same_city", f"also in {p.cities.vocab.names[city]}", W_CITY))
    return reasons


# -- ranking for one mentee ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MentorSuggestion:
    mentor: int
    score: float
    reasons: tuple[Reason, ...]
    capacity: int
    capacity_left: int


@dataclass(frozen=True)
class MentorRanking:
    mentors: list[MentorSuggestion]
    reason: str | None = None


def rank_mentors(
    p: Projection,
    mentee: int,
    *,
    skill: str | None = None,
    limit: int = 10,
    pool: MentorPool | None = None,
    today: str | None = None,
) -> MentorRanking:
    """The best mentors for ``mentee``, each with reasons and capacity left.

    Parameters: ``p`` the projection; ``mentee`` an index; ``skill`` a skill key
    (:func:`graph.normalize.skill_key`) to be mentored in — only mentors who know it are
    ranked; ``limit`` how many; ``pool`` the mentors (default: everyone open to mentoring,
    cached); ``today`` ISO date deciding which mentorships still run. Reference: the
    module docstring (Spärck Jones 1972; Granovetter 1973).

    >>> from tests.support.example_clubs import mentoring_club
    >>> p = mentoring_club()
    >>> [(p.ids[m.mentor], m.score, m.capacity_left)
    ...  for m in rank_mentors(p, p.member("stu"), today="2025-06-01").mentors]
    [('ana', 0.5679, 1), ('bor', 0.3321, 2)]
    """
    pool = pool if pool is not None else default_pool(p, today)
    wanted: list[int] | None = None
    if skill is not None:
        code = p.skill_names.get(skill)
        if code is None or not p.skills.count(code):
            return MentorRanking([], f"no member of the club lists {skill!r} as a skill")
        wanted = [code]
    f = fit(p, pool, mentee, wanted=wanted)
    ok = f.eligible & (pool.left > 0)
    if wanted is not None:
        ok &= f.coverage > 0
    candidates = np.flatnonzero(ok)
    if not len(candidates):
        return MentorRanking([], _no_mentor(f, pool, skill))
    score = f.score
    # a few more than asked: the last gate below may still drop some
    take = min(len(candidates), 2 * limit + 10)
    best = candidates[np.argpartition(-score[candidates], take - 1)[:take]]
    order = sorted(best, key=lambda q: (-round(float(score[q]), 9), p.ids[pool.members[q]]))
    out: list[MentorSuggestion] = []
    for q in order:
        mentor = int(pool.members[q])
        if not consent.mentor_at(p, mentor):  # consent may have changed since the pool was built
            continue
        reasons = explain(p, pool, f, int(q))
        shown = tuple(Reason(r.kind, r.detail, round(r.weight, 4)) for r in reasons)
        out.append(
            MentorSuggestion(
                mentor, round(float(score[q]), 4), shown, int(pool.capacity[q]), int(pool.left[q])
            )
        )
        if len(out) == limit:
            break
    return MentorRanking(out)


def _no_mentor(f: Fit, pool: MentorPool, skill: str | None) -> str:
    if not len(pool):
        return "no member of the club is open to mentoring now"
    about = f" in {skill}" if skill else ""
    eligible = f.eligible if skill is None else f.eligible & (f.coverage > 0)
    if not eligible.any():
        return f"no mentor{about} open to mentoring is senior to this member"
    return f"every mentor{about} who fits is at capacity now"


def select_members(
    p: Projection, *, program: str | None = None, year: int | None = None, seeking: bool | None = None
) -> list[int]:
    """Members of a programme (its id or name, folded), a class year, seeking a mentor or not."""
    from graph.normalize import fold

    found: Iterable[int]
    if program is not None:
        wanted = fold(program)
        codes = [
            c
            for c, (key, name) in enumerate(zip(p.programs.vocab.keys, p.programs.vocab.names, strict=True))
            if fold(key) == wanted or fold(name) == wanted
        ]
        if year is not None:
            cohorts = [
                c
                for c in range(len(p.cohort_program))
                if p.cohort_program[c] in codes and p.cohort_year[c] == year
            ]
            found = {m for c in cohorts for m in p.cohorts.holders(c)}
        else:
            found = {m for c in codes for m in p.programs.holders(c)}
    elif year is not None:
        cohorts = [c for c in range(len(p.cohort_year)) if p.cohort_year[c] == year]
        found = {m for c in cohorts for m in p.cohorts.holders(c)}
    else:
        found = p.members()
    out = [m for m in found if p.alive[m]]
    if seeking is not None:
        out = [m for m in out if bool(p.flags[m] & consent.SEEKING_MENTOR) == seeking]
    return sorted(out, key=lambda m: p.ids[m])
