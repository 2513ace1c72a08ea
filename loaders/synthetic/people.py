"""Members and everything that belongs to one member: cohorts, careers, skills, interests.

Members are made one at a time and streamed straight to their files; what the later
stages (ties, events, mentoring) need is kept in :class:`Population`, in flat arrays so
that the largest tier stays within a few hundred megabytes.
"""

from __future__ import annotations

import math
import random
from array import array
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from graph.model import MemberRole
from loaders.synthetic.catalog import (
    ABROAD_CITIES,
    FIRST_CLASS_YEAR,
    FIRST_STUDENT_YEAR,
    FUNCTION_INTERESTS,
    FUNCTION_SKILLS,
    GENERAL_SKILLS,
    INDUSTRY_FUNCTIONS,
    INTERESTS,
    LADDERS,
    LAST_CLASS_YEAR,
    PROGRAMMES,
    REFERENCE_MONTH,
    REFERENCE_YEAR,
    SKILL_SPELLINGS,
    SLOVENIAN_CITIES,
    Employer,
    Programme,
)
from loaders.synthetic.names import EmailBook, foreign_name, pick_nationality, slovenian_name
from loaders.synthetic.writer import BundleWriter

#: Months are counted as ``year * 12 + month - 1``; this is "now".
NOW = REFERENCE_YEAR * 12 + REFERENCE_MONTH - 1

#: Share of positions that name their employer by a legal-form spelling instead of its id.
EMPLOYER_NAME_SHARE = 0.07

_SI_CITIES = tuple(c for c, _ in SLOVENIAN_CITIES)
_SI_CITY_CUM = tuple(accumulate(w for _, w in SLOVENIAN_CITIES))
_STAFF_TITLES = (
    "Alumni Relations Officer",
    "Career Counsellor",
    "Programme Coordinator",
    "Head of Alumni Relations",
    "Events Coordinator",
)
_NO_JOB_HEADLINES = ("Open to new opportunities", "Between roles", "Career break", "Looking for my next role")


@dataclass(slots=True)
class Population:
    """What later stages need to know about the members, indexed by member number (0-based)."""

    ids: list[str]
    programmes: list[Programme]
    employers: list[Employer]
    role: list[str] = field(default_factory=list)
    city: list[str] = field(default_factory=list)
    #: year the member entered the club's world (enrolment, or first year on the staff)
    joined: array = field(default_factory=lambda: array("i"))
    #: primary programme (index into ``programmes``) and class year; -1 / 0 for faculty and staff
    program: array = field(default_factory=lambda: array("i"))
    class_year: array = field(default_factory=lambda: array("i"))
    sociability: array = field(default_factory=lambda: array("d"))
    mentor_capacity: array = field(default_factory=lambda: array("b"))
    seeking_mentor: array = field(default_factory=lambda: array("b"))
    # cohort memberships, one entry each: member, programme, class year
    cohort_member: array = field(default_factory=lambda: array("i"))
    cohort_program: array = field(default_factory=lambda: array("i"))
    cohort_year: array = field(default_factory=lambda: array("i"))
    # employment spells: member, employer index, first month, month after the last (NOW+1 = current)
    spell_member: array = field(default_factory=lambda: array("i"))
    spell_employer: array = field(default_factory=lambda: array("i"))
    spell_start: array = field(default_factory=lambda: array("i"))
    spell_end: array = field(default_factory=lambda: array("i"))

    @property
    def size(self) -> int:
        return len(self.ids)


def member_ids(count: int) -> list[str]:
    width = max(6, len(str(count)))
    return [f"M{i:0{width}d}" for i in range(1, count + 1)]


def choose_programmes(members: int, rng: random.Random) -> list[Programme]:
    """The programmes a club of this size spans.

    A small club is one faculty's (its programmes first, as in a real faculty club);
    bigger ones add faculties until classes have a realistic size of tens to hundreds.
    """
    wanted = max(2, min(len(PROGRAMMES), round(math.sqrt(members) / 14)))
    faculties = sorted({p.faculty for p in PROGRAMMES if p.country == "Slovenia"})
    home = rng.choice(faculties)
    own = [p for p in PROGRAMMES if p.faculty == home]
    rest = [p for p in PROGRAMMES if p.faculty != home]
    rng.shuffle(own)
    rng.shuffle(rest)
    return (own + rest)[:wanted]


def _date(month_index: int, rng: random.Random) -> str:
    """A month as ``YYYY-MM`` mostly, sometimes just ``YYYY`` (as people fill in forms)."""
    year, month = divmod(month_index, 12)
    return str(year) if rng.random() < 0.15 else f"{year}-{month + 1:02d}"


class _EmployerPools:
    """Weighted employer draws by industry, at home (Slovenia) or abroad."""

    def __init__(self, employers: list[Employer]) -> None:
        by_key: dict[tuple[str, bool], list[int]] = {}
        for idx, emp in enumerate(employers):
            by_key.setdefault((emp.industry, emp.slovenian), []).append(idx)
        self._pools = {
            key: (idx, list(accumulate(employers[i].weight for i in idx))) for key, idx in by_key.items()
        }
        self._all = (list(range(len(employers))), list(accumulate(e.weight for e in employers)))

    def pick(self, rng: random.Random, industry: str, home: bool) -> int:
        pool = self._pools.get((industry, home)) or self._pools.get((industry, not home)) or self._all
        idx, cum = pool
        return idx[bisect(cum, rng.random() * cum[-1], 0, len(idx) - 1)]


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


class MemberFactory:
    """Makes members one by one, writing their rows and filling a :class:`Population`."""

    def __init__(
        self,
        members: int,
        rng: random.Random,
        programmes: list[Programme],
        employers: list[Employer],
        out: BundleWriter,
    ) -> None:
        self.rng = rng
        self.out = out
        self.pop = Population(member_ids(members), programmes, employers)
        self.pools = _EmployerPools(employers)
        self.emails = EmailBook()
        self._written: set[tuple[int, str, str]] = set()  # one member's positions so far
        self.years = list(range(FIRST_CLASS_YEAR, LAST_CLASS_YEAR + 1))
        # clubs grow: recent classes are bigger than the first ones
        self.year_cum = list(accumulate(1.0 + 0.06 * (y - FIRST_CLASS_YEAR) for y in self.years))
        self.prog_cum = list(accumulate(p.weight for p in programmes))
        self.faculty_employer = {
            e.name: i for i, e in enumerate(employers) if e.industry == "Higher education"
        }

    # -- draws ------------------------------------------------------------------------------

    def _programme(self) -> int:
        return bisect(self.prog_cum, self.rng.random() * self.prog_cum[-1], 0, len(self.prog_cum) - 1)

    def _class_year(self) -> int:
        cum = self.year_cum
        return self.years[bisect(cum, self.rng.random() * cum[-1], 0, len(cum) - 1)]

    def _home(self, international: bool) -> tuple[str, str, str]:
        """(name, city, country) of a new member."""
        rng = self.rng
        if not international:
            name = slovenian_name(rng)
            if rng.random() < 0.12:
                city, country = rng.choice(ABROAD_CITIES)
            else:
                pick = bisect(_SI_CITY_CUM, rng.random() * _SI_CITY_CUM[-1], 0, len(_SI_CITIES) - 1)
                city = _SI_CITIES[pick]
                country = "Slovenia"
            return name, city, country
        nat = pick_nationality(rng)
        name = foreign_name(rng, nat)
        roll = rng.random()
        if roll < 0.5:
            return name, rng.choice(nat.cities), nat.country
        if roll < 0.85:
            return name, rng.choice(("Ljubljana", "Ljubljana", "Maribor", "Koper")), "Slovenia"
        city, country = rng.choice(ABROAD_CITIES)
        return name, city, country

    def _function(self, prog: Programme, industry: str, current: str | None) -> str:
        allowed = INDUSTRY_FUNCTIONS[industry]
        if current in allowed and self.rng.random() < 0.85:
            return current  # people mostly keep their trade when they change jobs
        options = {f: w for f, w in prog.functions.items() if f in allowed}
        return _weighted(self.rng, options) if options else self.rng.choice(allowed)

    def _title(self, function: str, experience_years: float) -> str:
        rng = self.rng
        if experience_years < 3:
            level = 0
        elif experience_years < 7:
            level = 1
        elif experience_years < 12:
            level = 2
        elif experience_years < 20:
            level = 3
        else:
            level = 4 if rng.random() < 0.25 else 3
        if level and rng.random() < 0.25:
            level -= 1
        return rng.choice(LADDERS[function][level])

    # -- one member -------------------------------------------------------------------------

    def make(self, i: int) -> None:
        rng = self.rng
        pop = self.pop
        self._written.clear()
        roll = rng.random()
        role = MemberRole.FACULTY if roll < 0.02 else MemberRole.STAFF if roll < 0.03 else None
        prog_idx = self._programme()
        prog = pop.programmes[prog_idx]
        international = rng.random() < (0.6 if prog.country != "Slovenia" else 0.22)
        name, city, country = self._home(international)
        cohorts: list[tuple[int, int]] = []
        if role is MemberRole.FACULTY:
            class_year = rng.randint(1970, 2015)
            joined = max(FIRST_CLASS_YEAR - 5, class_year + rng.randint(2, 8))
        else:
            class_year = self._class_year()
            joined = class_year - prog.years
            if role is MemberRole.STAFF:
                class_year = min(class_year, REFERENCE_YEAR - 2)
                joined = class_year - prog.years
                cohorts.append((prog_idx, class_year))
            else:
                role = MemberRole.STUDENT if class_year >= FIRST_STUDENT_YEAR else MemberRole.ALUMNUS
                cohorts.append((prog_idx, class_year))
                # some come back for a second degree (a BSc, then the MBA)
                if (
                    role is MemberRole.ALUMNUS
                    and len(pop.programmes) > 1
                    and class_year <= REFERENCE_YEAR - 5
                    and rng.random() < 0.08
                ):
                    other = self._programme()
                    if other != prog_idx:
                        cohorts.append((other, min(LAST_CLASS_YEAR, class_year + rng.randint(2, 10))))

        functions, current = self._career(i, role, prog, class_year, joined, country)
        if current is not None and current[2] and rng.random() < 0.5:
            city = pop.employers[current[0]].city  # people live near where they work
        self._skills_and_interests(i, role, prog, functions, class_year)

        for p_idx, year in cohorts:
            p = pop.programmes[p_idx]
            self.out["cohorts"].write((pop.ids[i], p.name, year, p.faculty, p.degree))
            pop.cohort_member.append(i)
            pop.cohort_program.append(p_idx)
            pop.cohort_year.append(year)

        senior = role is MemberRole.ALUMNUS and class_year <= REFERENCE_YEAR - 8
        capacity = 0
        if (senior and rng.random() < 0.15) or (role is MemberRole.FACULTY and rng.random() < 0.3):
            capacity = rng.choice((1, 1, 2, 2, 3))
        if role is MemberRole.STUDENT:
            seeking = rng.random() < 0.6
        else:
            seeking = role is MemberRole.ALUMNUS and class_year >= REFERENCE_YEAR - 3 and rng.random() < 0.15
        discoverable = rng.random() >= 0.05
        intros = rng.random() >= 0.10

        if current is not None:
            headline = f"{current[1]} at {pop.employers[current[0]].name}"
        elif role is MemberRole.STUDENT:
            headline = f"{prog.name} student at {prog.faculty}"
        else:
            headline = rng.choice(_NO_JOB_HEADLINES)
        if rng.random() < 0.03:
            headline = ""
        email = self.emails.make(rng, name) if rng.random() >= 0.04 else ""
        grad = "" if role is MemberRole.STUDENT else class_year
        self.out["members"].write(
            (
                pop.ids[i],
                name,
                role.value,
                email,
                headline,
                city,
                country,
                grad,
                "true" if capacity else "false",
                capacity or "",
                "true" if seeking else "false",
                "true" if discoverable else "false",
                "true" if intros else "false",
            )
        )

        sociability = min(rng.paretovariate(1.8), 60.0)
        if role is MemberRole.STAFF:
            sociability *= 3.0  # the alumni office knows everyone
        elif role is MemberRole.FACULTY:
            sociability *= 1.5
        pop.role.append(role.value)
        pop.city.append(city)
        pop.joined.append(joined)
        pop.program.append(prog_idx)
        pop.class_year.append(class_year)
        pop.sociability.append(sociability)
        pop.mentor_capacity.append(capacity)
        pop.seeking_mentor.append(seeking)

    def _career(
        self, i: int, role: MemberRole, prog: Programme, class_year: int, joined: int, country: str
    ) -> tuple[list[str], tuple[int, str, bool] | None]:
        """Write the member's positions; return the functions held and (employer, title, in Slovenia)
        of the current job, if any."""
        rng = self.rng
        pop = self.pop
        function: str | None
        industry: str | None
        emp: int | None
        if role in (MemberRole.FACULTY, MemberRole.STAFF):
            emp = self.faculty_employer[prog.faculty]
            if role is MemberRole.FACULTY:
                start = joined * 12 + rng.randint(0, 11)
                title = self._title("academia", (NOW - start) / 12)
                function = "academia"
            else:
                start = max(class_year * 12 + rng.randint(0, 30), NOW - rng.randint(6, 180))
                title = rng.choice(_STAFF_TITLES)
                function = "management"
            self._position(i, emp, title, min(start, NOW - 1), NOW + 1)
            return [function], (emp, title, pop.employers[emp].slovenian)
        home = country == "Slovenia"
        if role is MemberRole.STUDENT:
            if rng.random() >= 0.35:
                return [], None
            industry = _weighted(rng, prog.industries)
            emp = self.pools.pick(rng, industry, home)
            start = NOW - rng.randint(1, 18)
            end = start + rng.randint(3, 12)
            title = rng.choice(("Intern", "Student Assistant", "Student Worker", "Summer Intern"))
            self._position(i, emp, title, start, end if end <= NOW else NOW + 1)
            return [], ((emp, title, pop.employers[emp].slovenian) if end > NOW else None)

        # experienced-hire programmes: the career began years before the class year
        if prog.degree in ("MBA", "EMBA"):
            t = (class_year - rng.randint(3, 12)) * 12 + rng.randint(0, 11)
        else:
            t = class_year * 12 + rng.randint(-6, 6)
        career_start = t
        functions: list[str] = []
        function = None
        industry = None
        emp = None
        current = None
        # a spell waits here until the next is known, so that "same firm, same title" merges
        pending: list | None = None
        while t < NOW:
            if emp is not None and rng.random() < 0.2:
                pass  # a promotion: same employer, next title
            else:
                if industry is None or rng.random() >= 0.55:
                    industry = _weighted(rng, prog.industries)
                stay_home = rng.random() < (0.85 if home else 0.3)
                emp = self.pools.pick(rng, industry, stay_home)
                industry = pop.employers[emp].industry
            assert industry is not None  # chosen with the first employer, kept on a promotion
            function = self._function(prog, industry, function)
            if function not in functions:
                functions.append(function)
            title = self._title(function, (t - career_start) / 12)
            end = t + max(6, min(240, int(rng.lognormvariate(3.6, 0.6))))
            stop = end > NOW
            if stop:
                if rng.random() < 0.05:  # left recently, nothing new yet
                    end = max(t + 1, NOW - rng.randint(0, 5))
                else:
                    end = NOW + 1
                    current = (emp, title, pop.employers[emp].slovenian)
            if pending is not None and pending[0] == emp and pending[1] == title and pending[3] >= t:
                pending[3] = end
            else:
                if pending is not None:
                    self._position(i, *pending)
                pending = [emp, title, t, end]
            if stop:
                break
            t = end + (0 if rng.random() < 0.7 else rng.randint(1, 8))
        if pending is not None:
            self._position(i, *pending)
        return functions, current

    def _position(self, i: int, emp: int, title: str, start: int, end: int) -> None:
        rng = self.rng
        pop = self.pop
        employer = pop.employers[emp]
        if employer.variants and rng.random() < EMPLOYER_NAME_SHARE:
            emp_id, emp_name = "", rng.choice(employer.variants)
        else:
            emp_id, emp_name = employer.id, ""
        start_text = _date(start, rng)
        # a loader tells one member's positions at one employer apart by start and title
        seen_key = (emp, title, start_text)
        if seen_key in self._written:
            start_text = f"{start // 12}-{start % 12 + 1:02d}"
            seen_key = (emp, title, start_text)
        self._written.add(seen_key)
        end_text = "" if end > NOW else _date(end, rng)
        self.out["positions"].write((pop.ids[i], emp_id, emp_name, title, start_text, end_text))
        pop.spell_member.append(i)
        pop.spell_employer.append(emp)
        pop.spell_start.append(start)
        pop.spell_end.append(end)

    def _skills_and_interests(
        self, i: int, role: MemberRole, prog: Programme, functions: list[str], class_year: int
    ) -> None:
        rng = self.rng
        member_id = self.pop.ids[i]
        experience = max(0, REFERENCE_YEAR - class_year) if role is not MemberRole.STUDENT else 0
        chosen: dict[str, None] = {}  # an ordered set
        for skill in rng.sample(prog.skills, min(len(prog.skills), rng.randint(1, 3))):
            chosen[skill] = None
        pool: Sequence[str]
        for function in functions[-2:]:
            pool = FUNCTION_SKILLS[function]
            for skill in rng.sample(pool, min(len(pool), rng.randint(1, 4))):
                chosen[skill] = None
        if rng.random() < 0.6:
            chosen[rng.choice(GENERAL_SKILLS)] = None
        table = self.out["skills"]
        for skill in chosen:
            level = max(1, min(5, 1 + experience // 5 + rng.randint(0, 1) - (rng.random() < 0.2)))
            table.write((member_id, self._spelling(skill), level, "false"))

        wants = 0
        if role is MemberRole.STUDENT:
            wants = rng.randint(1, 3)
        elif experience <= 3 and rng.random() < 0.4:
            wants = rng.randint(1, 2)
        elif rng.random() < 0.1:
            wants = 1
        if wants:
            target = _weighted(rng, prog.functions)
            pool = [s for s in FUNCTION_SKILLS[target] + prog.skills if s not in chosen]
            for skill in rng.sample(pool, min(len(pool), wants)):
                if skill not in chosen:
                    chosen[skill] = None
                    table.write((member_id, self._spelling(skill), "", "true"))

        interests: dict[str, None] = {}
        for _ in range(rng.randint(1, 5)):
            roll = rng.random()
            fn_pool = FUNCTION_INTERESTS.get(functions[-1]) if functions else None
            if roll < 0.35 and fn_pool:
                interests[rng.choice(fn_pool)] = None
            elif roll < 0.5 and prog.interests:
                interests[rng.choice(prog.interests)] = None
            else:
                interests[rng.choice(INTERESTS)] = None
        for interest in interests:
            self.out["interests"].write((member_id, interest))

    def _spelling(self, skill: str) -> str:
        spellings = SKILL_SPELLINGS.get(skill)
        if spellings and self.rng.random() < 0.08:
            return self.rng.choice(spellings)
        return skill


def make_members(
    members: int,
    rng: random.Random,
    programmes: list[Programme],
    employers: list[Employer],
    out: BundleWriter,
    tick: Callable[[int], None] | None = None,
) -> Population:
    """Make and write ``members`` members; ``tick(done)`` is called now and then."""
    factory = MemberFactory(members, rng, programmes, employers, out)
    step = max(1, members // 200)
    for i in range(members):
        factory.make(i)
        if tick is not None and (i + 1) % step == 0:
            tick(i + 1)
    if tick is not None:
        tick(members)
    return factory.pop
