"""The graph model: labels, relationship types, roles and field limits.

Pure data, no I/O. The Neo4j schema (``graph.migrations``), the loaders and the
projection all take their names from here so that a rename happens in one place.
"""

from __future__ import annotations

from enum import StrEnum


class MemberRole(StrEnum):
    ALUMNUS = "alumnus"
    STUDENT = "student"
    FACULTY = "faculty"
    STAFF = "staff"


class Label(StrEnum):
    MEMBER = "Member"
    EMPLOYER = "Employer"
    SKILL = "Skill"
    INTEREST = "Interest"
    PROGRAM = "Program"
    COHORT = "Cohort"
    EVENT = "Event"
    CLUB = "Club"


class Rel(StrEnum):
    KNOWS = "KNOWS"
    WORKS_AT = "WORKS_AT"
    HAS_SKILL = "HAS_SKILL"
    WANTS_SKILL = "WANTS_SKILL"
    INTERESTED_IN = "INTERESTED_IN"
    IN_COHORT = "IN_COHORT"
    OF_PROGRAM = "OF_PROGRAM"
    ATTENDED = "ATTENDED"
    MENTORS = "MENTORS"
    MEMBER_OF = "MEMBER_OF"


#: Member properties a member may hold, in the order of the bundle's members.csv.
MEMBER_FIELDS = (
    "id",
    "name",
    "role",
    "email",
    "headline",
    "city",
    "country",
    "graduation_year",
    "open_to_mentor",
    "mentor_capacity",
    "seeking_mentor",
    "discoverable",
    "open_to_intros",
)

#: The club a load, a sync or a member belongs to when none is named: a database of one
#: club (every database before clubs existed) is this club (``graph.migrations`` 8).
DEFAULT_CLUB = "default"


def membership_runs(until: str, today: str) -> bool:
    """Does a club membership that ends ``until`` still count on ``today`` (both ISO text)?

    Empty means open-ended. The ``until`` day itself still counts, and a partial date
    runs to the end of its year or month: a membership ``until`` 2025 ends with 2025.

    >>> membership_runs("", "2025-06-10"), membership_runs("2025-06-10", "2025-06-10")
    (True, True)
    >>> membership_runs("2025-06", "2025-07-01"), membership_runs("2024", "2025-01-01")
    (False, False)
    """
    return not until or until >= today[: len(until)]


#: Who a member may be found by (``discoverable_to``): members and staff of its own
#: clubs only (the default), or anyone of the university.
REACH_CLUBS = "clubs"
REACH_UNIVERSITY = "university"
REACHES = (REACH_CLUBS, REACH_UNIVERSITY)

#: Club properties, in the order of the bundle's clubs.csv.
CLUB_FIELDS = ("id", "name", "faculty", "founded")

#: Consent flags and their defaults when a member has not said.
CONSENT_DEFAULTS: dict[str, bool] = {
    "discoverable": True,
    "open_to_intros": True,
    "open_to_mentor": False,
    "share_employer": True,
    "share_contact": False,
}

#: What a member may change about itself (``PATCH /members/{id}``). Once the member (or an
#: admin on its behalf) sets one, the member owns it: no later load, sync or export
#: overwrites it (``graph.store.writes``). Everything else about a member is the source's.
MEMBER_OWNED_FIELDS: tuple[str, ...] = (
    *CONSENT_DEFAULTS,
    "seeking_mentor",
    "mentor_capacity",
    "headline",
    "city",
    "country",
    "email",
    "language",
    "intro_requests_weekly",
    "mail_digest",
    "discoverable_to",
)

#: The longest text a field may hold; longer is a bad row, not a truncation.
MAX_LENGTH: dict[str, int] = {
    "id": 64,
    "name": 200,
    "email": 254,
    "headline": 300,
    "city": 100,
    "country": 100,
    "title": 200,
    "industry": 100,
    "skill": 100,
    "interest": 100,
    "program": 200,
    "faculty": 200,
    "degree": 100,
    "aliases": 1000,
    "default": 500,
}


def max_length(field: str) -> int:
    return MAX_LENGTH.get(field, MAX_LENGTH["default"])
