"""Club life: events with their attendance, and mentoring.

Attendance clusters the way it does in a real club: a reunion draws its own class, a
mixer or talk draws people from its city (the sociable ones more often), a career fair
draws students. Mentors take at most as many current mentees as they offered.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

from graph.model import MemberRole
from loaders.synthetic.catalog import FIRST_STUDENT_YEAR, REFERENCE_MONTH, REFERENCE_YEAR, TALK_TOPICS
from loaders.synthetic.people import Population
from loaders.synthetic.writer import BundleWriter

#: Events per member: a club of 2,000 runs about 50 events over its recorded years.
EVENTS_PER_MEMBER = 1 / 40
#: The mean attendance of city events; with reunions this gives about two per member.
MEAN_CITY_ATTENDANCE = 70
FIRST_EVENT_YEAR = 2005
_KINDS = (("reunion", 30), ("talk", 30), ("mixer", 25), ("career_fair", 10), ("mentoring", 5))
_SEASONS = (("Spring", 4), ("Summer", 6), ("Autumn", 10), ("Winter", 12))


@dataclass(frozen=True, slots=True)
class _Event:
    date: str
    name: str
    city: str
    kind: str
    year: int
    group: int  # cohort key for reunions, programme index for career fairs


class _Pool:
    """Members to draw attendees from, weighted by sociability."""

    __slots__ = ("members", "cum")

    def __init__(self, members: list[int], weights: list[float]) -> None:
        self.members = members
        self.cum = list(accumulate(weights))

    def draw(self, rng: random.Random) -> int:
        return self.members[bisect(self.cum, rng.random() * self.cum[-1], 0, len(self.members) - 1)]


def _date(rng: random.Random, year: int, month: int | None = None) -> str:
    last_month = REFERENCE_MONTH if year == REFERENCE_YEAR else 12
    month = min(month or rng.randint(1, last_month), last_month)
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


def _event_year(rng: random.Random) -> int:
    # more events in recent years: the club has grown and records are better
    span = REFERENCE_YEAR - FIRST_EVENT_YEAR + 1
    return FIRST_EVENT_YEAR + int(span * rng.random() ** 0.7)


def generate_events(
    pop: Population, rng: random.Random, out: BundleWriter, tick: Callable[[int, int], None] | None = None
) -> None:
    """Write events.csv (sorted by date) and attendance.csv."""
    n = pop.size
    soc = pop.sociability
    cohorts: dict[int, list[int]] = {}
    for k in range(len(pop.cohort_member)):
        key = pop.cohort_program[k] * 10_000 + pop.cohort_year[k]
        cohorts.setdefault(key, []).append(pop.cohort_member[k])
    by_city: dict[str, list[int]] = {}
    for m in range(n):
        by_city.setdefault(pop.city[m], []).append(m)
    city_names = sorted(by_city)
    city_pools = {c: _Pool(by_city[c], [soc[m] for m in by_city[c]]) for c in city_names}
    everyone = _Pool(list(range(n)), list(soc))
    mentors_and_seekers = [m for m in range(n) if pop.mentor_capacity[m] or pop.seeking_mentor[m]]
    kinds = [k for k, _ in _KINDS]
    kind_weights = [w for _, w in _KINDS]

    events: list[_Event] = []
    for _ in range(max(12, round(n * EVENTS_PER_MEMBER))):
        kind = rng.choices(kinds, kind_weights)[0]
        year = _event_year(rng)
        if kind == "reunion":
            k = rng.randrange(len(pop.cohort_member))  # by entry: bigger classes hold more reunions
            prog_idx, class_year = pop.cohort_program[k], pop.cohort_year[k]
            anniversaries = [a for a in (5, 10, 15, 20, 25, 30) if class_year + a <= REFERENCE_YEAR]
            if anniversaries:
                a = rng.choice(anniversaries)
                prog = pop.programmes[prog_idx]
                events.append(
                    _Event(
                        _date(rng, class_year + a, rng.choice((5, 6, 9, 10))),
                        f"{prog.name} class of {class_year}: {a}-year reunion",
                        prog.city,
                        kind,
                        class_year + a,
                        prog_idx * 10_000 + class_year,
                    )
                )
                continue
            kind = "mixer"
        # city events happen where members live: pick the city of a random member
        city = pop.city[rng.randrange(n)]
        if kind == "talk":
            topic = rng.choice(TALK_TOPICS)
            host = pop.employers[rng.randrange(min(len(pop.employers), 120))].name
            events.append(_Event(_date(rng, year), f"Talk: {topic} (hosted by {host})", city, kind, year, -1))
        elif kind == "mixer":
            season, month = rng.choice(_SEASONS)
            events.append(
                _Event(
                    _date(rng, year, month),
                    f"{city} alumni mixer, {season.lower()} {year}",
                    city,
                    kind,
                    year,
                    -1,
                )
            )
        elif kind == "career_fair":
            prog_idx = rng.randrange(len(pop.programmes))
            prog = pop.programmes[prog_idx]
            events.append(
                _Event(
                    _date(rng, year, rng.choice((3, 4, 10, 11))),
                    f"Career fair {year}: {prog.faculty}",
                    prog.city,
                    kind,
                    year,
                    prog_idx,
                )
            )
        else:
            events.append(
                _Event(
                    _date(rng, year, rng.choice((1, 2, 9, 10))),
                    f"Mentoring breakfast {year}",
                    city,
                    kind,
                    year,
                    -1,
                )
            )

    events.sort(key=lambda e: (e.date, e.name, e.city))
    width = max(5, len(str(len(events))))
    event_ids = [f"EV{i:0{width}d}" for i in range(1, len(events) + 1)]
    for eid, event in zip(event_ids, events, strict=True):
        out["events"].write((eid, event.name, event.date, event.city))

    attendance = out["attendance"]
    joined = pop.joined
    for done, (eid, event) in enumerate(zip(event_ids, events, strict=True), start=1):
        chosen: dict[int, None] = {}
        if event.kind == "reunion":
            for m in cohorts.get(event.group, ()):
                if rng.random() < min(0.9, 0.2 + 0.08 * soc[m]):
                    chosen[m] = None
        elif event.kind == "career_fair":
            # the classes still studying in the fair's year
            pool = [
                m
                for y in range(event.year, event.year + 3)
                for m in cohorts.get(event.group * 10_000 + y, ())
            ]
            size = min(len(pool), max(5, int(rng.lognormvariate(3.6, 0.5))))
            for m in rng.sample(pool, size):
                chosen[m] = None
        else:
            target = max(5, int(rng.lognormvariate(4.0, 0.6) * MEAN_CITY_ATTENDANCE / 65))
            local = city_pools[event.city]
            mentoring = event.kind == "mentoring"
            for _ in range(3 * target):
                if len(chosen) >= target:
                    break
                if mentoring and mentors_and_seekers:
                    m = mentors_and_seekers[rng.randrange(len(mentors_and_seekers))]
                elif rng.random() < 0.8:
                    m = local.draw(rng)
                else:
                    m = everyone.draw(rng)  # some travel for a good event
                if joined[m] <= event.year:
                    chosen[m] = None
        for m in chosen:
            attendance.write((pop.ids[m], eid))
        if tick is not None and done % 50 == 0:
            tick(done, len(events))
    if tick is not None:
        tick(len(events), len(events))


def generate_mentorships(pop: Population, rng: random.Random, out: BundleWriter) -> None:
    """Write mentorships.csv: current ones within capacity, and some finished ones."""
    n = pop.size
    table = out["mentorships"]
    mentors = [m for m in range(n) if pop.mentor_capacity[m]]
    if not mentors:
        return
    by_programme: dict[int, list[int]] = {}
    for m in mentors:
        by_programme.setdefault(pop.program[m], []).append(m)
    left = {m: pop.mentor_capacity[m] for m in mentors}
    pairs: set[tuple[int, int]] = set()

    mentees = [m for m in range(n) if pop.seeking_mentor[m]]
    rng.shuffle(mentees)
    pool: list[int] | None
    for mentee in mentees:
        if rng.random() >= 0.55:
            continue  # still waiting for a match
        same = by_programme.get(pop.program[mentee])
        for _ in range(6):
            pool = same if same and rng.random() < 0.65 else mentors
            mentor = pool[rng.randrange(len(pool))]
            if mentor != mentee and left[mentor] > 0:
                left[mentor] -= 1
                pairs.add((mentor, mentee))
                year = REFERENCE_YEAR - rng.randint(0, 1)
                month = rng.randint(1, REFERENCE_MONTH if year == REFERENCE_YEAR else 12)
                table.write((pop.ids[mentor], pop.ids[mentee], f"{year}-{month:02d}", ""))
                break

    by_class: dict[int, list[int]] = {}
    for m in range(n):
        if pop.role[m] == MemberRole.ALUMNUS:
            by_class.setdefault(pop.class_year[m], []).append(m)
    for mentor in mentors:
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            first = max(pop.class_year[mentor] + 3, 2000)
            if first > FIRST_STUDENT_YEAR - 1:
                break
            year = rng.randint(first, FIRST_STUDENT_YEAR - 1)
            pool = by_class.get(year)
            if not pool:
                continue
            mentee = pool[rng.randrange(len(pool))]
            if mentee == mentor or (mentor, mentee) in pairs:
                continue
            pairs.add((mentor, mentee))
            since = (year - 1) * 12 + rng.randint(0, 11)
            until = since + rng.randint(6, 14)
            table.write(
                (
                    pop.ids[mentor],
                    pop.ids[mentee],
                    f"{since // 12}-{since % 12 + 1:02d}",
                    f"{until // 12}-{until % 12 + 1:02d}",
                )
            )
