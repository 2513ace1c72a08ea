"""Consent: the one filter every endpoint, report and export passes members through.

Pure functions on member dicts, no I/O. A member's flags default to
:data:`graph.model.CONSENT_DEFAULTS` when absent. Who looks matters: the member itself
and admins see everything, anyone else sees what the member shares.

Hidden is the same as missing: to anyone but itself and the privileged, a member who is
not discoverable does not exist (:func:`visible_member`, :func:`visible_to`).

Clubs: a university runs many clubs, and a member is discoverable to the members and
staff of its own clubs only, unless it chose the whole university (``discoverable_to``).
A viewer scoped to clubs (a member: its own; a club's staff: that club) sees, of anyone
in none of them, only those who chose the university (:func:`in_reach`). Employment
without ``share_employer`` goes from derived text too (:func:`headline_without_employer`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from graph.model import CONSENT_DEFAULTS
from graph.normalize import employer_key, fold

#: Fields that reach someone else only with ``share_contact``.
CONTACT_FIELDS: tuple[str, ...] = ("email", "phone")
#: Fields that reach someone else only with ``share_employer``.
EMPLOYER_FIELDS: tuple[str, ...] = ("positions", "employer", "employer_id", "title")


def flag(member: Mapping[str, Any], name: str) -> bool:
    """A consent flag's value, its default when the member has not said."""
    value = member.get(name)
    return CONSENT_DEFAULTS[name] if value is None else bool(value)


def consent(member: Mapping[str, Any]) -> dict[str, bool]:
    """All five consent flags of a member, defaults filled in."""
    return {name: flag(member, name) for name in CONSENT_DEFAULTS}


def is_active(member: Mapping[str, Any]) -> bool:
    """Not marked inactive by a sync (``sync --deactivate-missing``: gone from the club's
    export). An inactive member is kept in the graph and hidden like one who opted out."""
    return member.get("active") is not False


def is_discoverable(member: Mapping[str, Any]) -> bool:
    """May be suggested, listed, shown in a path or in a report's named lists: the member
    said so, and the club's export still has it (:func:`is_active`)."""
    return flag(member, "discoverable") and is_active(member)


@dataclass(frozen=True)
class Viewer:
    """Who looks: a member (``member_id``), or someone privileged (an admin) who sees all.

    ``clubs``: the projection's codes of the clubs the viewer looks from (a member's own,
    or the one club a staff token is scoped to); None for the whole university. A
    privileged viewer scoped to clubs sees all of their members, and of others only what
    anyone of the university may see.
    """

    member_id: str | None = None
    privileged: bool = False
    clubs: frozenset[int] | None = None

    def sees_all_of(self, member_id: str | None) -> bool:
        return self.privileged or (self.member_id is not None and self.member_id == member_id)


def visible_member(member: Mapping[str, Any], viewer: Viewer) -> dict[str, Any] | None:
    """``member`` as ``viewer`` may see it, or None when it is hidden from the viewer.

    Hidden: a non-discoverable member, to anyone but itself and the privileged.
    Stripped: contact fields without ``share_contact``, employment without
    ``share_employer`` — the headline included, when it names an employer of the member
    (:func:`headline_without_employer`; ``positions`` carry each employer's name and
    aliases).
    """
    if viewer.sees_all_of(member.get("id")):
        return dict(member)
    if not is_discoverable(member):
        return None
    shown = dict(member)
    if not flag(member, "share_contact"):
        for name in CONTACT_FIELDS:
            shown.pop(name, None)
    if not flag(member, "share_employer"):
        if shown.get("headline"):
            shown["headline"] = headline_without_employer(
                shown["headline"], employer_names(member.get("positions") or ())
            )
        for name in EMPLOYER_FIELDS:
            shown.pop(name, None)
    return shown


def employer_names(positions: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every name and alias of the employers in ``positions`` (``employer``, ``aliases``)."""
    names: list[str] = []
    for pos in positions:
        names.extend(str(n) for n in (pos.get("employer"), *(pos.get("aliases") or ())) if n)
    return names


# -- employers in derived text -------------------------------------------------------
#
# A headline is free text a member (or the club's export) wrote, most often "Title at
# Employer". Without share_employer the employer goes from it: its words are cut out,
# with the word that ties them to the rest ("at", "pri", "@", …), a legal form and a
# possessive after them. What is left is shown when it still says something, else no
# headline at all. Erring towards cutting too much is the safe side.

_WORD = re.compile(r"\w+", re.UNICODE)
#: Words that tie an employer to a title: English and Slovenian.
_CONNECTORS = frozenset({"at", "with", "for", "of", "in", "pri", "v", "na", "za", "iz", "s"})
#: Legal forms left after an employer's key (as :func:`graph.normalize.employer_key` drops).
_LEGAL_TAIL = frozenset(
    {
        "d",
        "o",
        "dd",
        "doo",
        "dno",
        "sp",
        "inc",
        "ltd",
        "llc",
        "plc",
        "ag",
        "gmbh",
        "sa",
        "srl",
        "spa",
        "corp",
        "co",
        "group",
        "holding",
        "bv",
        "nv",
        "ab",
        "oy",
        "se",
        "kg",
    }
)
#: Words that say nothing once the employer is cut from around them.
_FILLER = _CONNECTORS | _LEGAL_TAIL | {"and", "ter", "in", "und", "et"}
_JOINERS = re.compile(r"^[\s@|,;:/·•–—-]+|[\s@|,;:/·•–—(-]+$")
_APOSTROPHES = ("'", "’")


def _words(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text``, folded, with where each starts and ends in it."""
    return [(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def _spellings(names: Iterable[str]) -> list[list[str]]:
    """Each name as folded words, in full and as its employer key, longest first."""
    found: set[tuple[str, ...]] = set()
    for name in names:
        for text in (name, employer_key(name)):
            words = tuple(w for w, _, _ in _words(text))
            if words:
                found.add(words)
    return [list(w) for w in sorted(found, key=len, reverse=True)]


def _same_word(word: str, name_word: str) -> bool:
    """``word`` is ``name_word``, or (4 letters or more) it with another case ending:
    Slovenian declines names, "pri Krki" names Krka."""
    if word == name_word:
        return True
    return len(name_word) >= 4 and word.startswith(name_word[:-1]) and len(word) <= len(name_word) + 2


def _match_at(words: list[tuple[str, int, int]], i: int, spelling: list[str]) -> bool:
    return i + len(spelling) <= len(words) and all(
        _same_word(words[i + k][0], w) for k, w in enumerate(spelling)
    )


def headline_without_employer(headline: str | None, employers: Iterable[str]) -> str | None:
    """``headline`` without any of ``employers`` (names or aliases) in it, or None when
    nothing worth showing is left. Words match whole, accent- and case-insensitive, with
    a legal form ("d.d.") optional and a case ending tolerated.

    >>> headline_without_employer("Analyst at KRKA, d. d.", ["Krka d.d."])
    'Analyst'
    >>> headline_without_employer("Analyst @ Nova Ljubljanska banka", ["NLB", "Nova Ljubljanska banka"])
    'Analyst'
    >>> headline_without_employer("Vodja prodaje pri Krki", ["Krka, d. d., Novo mesto"])
    'Vodja prodaje'
    >>> headline_without_employer("Krka", ["Krka"]) is None
    True
    >>> headline_without_employer("Data scientist", ["Krka"])
    'Data scientist'
    """
    if not headline:
        return headline
    spellings = _spellings(employers)
    if not spellings:
        return headline
    words = _words(headline)
    cut: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        spelling = next((s for s in spellings if _match_at(words, i, s)), None)
        if spelling is None:
            i += 1
            continue
        first, last = i, i + len(spelling)
        # "Krka's": the possessive goes with the name
        if (
            last < len(words)
            and words[last][0] == "s"
            and headline[words[last - 1][2] : words[last][1]] in _APOSTROPHES
        ):
            last += 1
        while last < len(words) and words[last][0] in _LEGAL_TAIL:
            last += 1
        if first > 0 and words[first - 1][0] in _CONNECTORS:
            first -= 1
        cut.append((words[first][1], words[last - 1][2]))
        i = last
    if not cut:
        return headline
    parts, at = [], 0
    for start, end in cut:
        parts.append(headline[at:start])
        at = end
    parts.append(headline[at:])
    pieces = [_JOINERS.sub("", part.strip(" .")) for part in parts]
    # a piece of nothing but punctuation or small words ("and") is a stub of the cut
    kept = [p for p in pieces if any(w not in _FILLER for w, _, _ in _words(p))]
    return re.sub(r"\s+", " ", " · ".join(kept)).strip() or None


# -- on the in-memory projection --------------------------------------------------
#
# The projection keeps each member's flags as bits; they are computed here, by the same
# rule (:func:`flag`) as the dict functions above, and every algorithm on the projection
# asks the predicates below — there is no second place that decides who may be shown.

DISCOVERABLE = 1
OPEN_TO_INTROS = 2
OPEN_TO_MENTOR = 4
SHARE_EMPLOYER = 8
SEEKING_MENTOR = 16  # not consent, but a flag the mentoring algorithms read
SHARE_CONTACT = 32
#: Marked inactive by a sync (``active = false``).
INACTIVE = 64
#: The member's own ``discoverable``; DISCOVERABLE is it and not INACTIVE, so every
#: predicate below (and every algorithm that tests DISCOVERABLE) hides an inactive member
#: exactly as one who opted out, and reactivation gives back the member's own choice.
OWN_DISCOVERABLE = 128

FLAG_BITS: dict[str, int] = {
    "discoverable": DISCOVERABLE,
    "open_to_intros": OPEN_TO_INTROS,
    "open_to_mentor": OPEN_TO_MENTOR,
    "share_employer": SHARE_EMPLOYER,
    "share_contact": SHARE_CONTACT,
    "seeking_mentor": SEEKING_MENTOR,
}
#: The member properties the flag bits are computed from.
FLAG_PROPS: tuple[str, ...] = (*FLAG_BITS, "active")


def flag_bits(props: Mapping[str, Any], current: int | None = None) -> int:
    """The flag bits after ``props`` are set on a member whose bits were ``current``.

    A flag absent from ``props`` keeps its current bit (or its default on a new member);
    a flag set to None (removed) falls back to its default, as :func:`flag` reads it.
    DISCOVERABLE is set when the member's own flag is and it is active (:func:`is_active`).

    >>> gone = flag_bits({"active": False})
    >>> gone & DISCOVERABLE, flag_bits({"active": None}, gone) & DISCOVERABLE
    (0, 1)
    """
    bits = 0
    for name, bit in FLAG_BITS.items():
        if name == "discoverable":
            bit = OWN_DISCOVERABLE
        if name in props or current is None:
            on = flag(props, name) if name in CONSENT_DEFAULTS else bool(props.get(name))
        else:
            on = bool(current & bit)
        if on:
            bits |= bit
    inactive = (not is_active(props)) if "active" in props or current is None else bool(current & INACTIVE)
    if inactive:
        bits |= INACTIVE
    elif bits & OWN_DISCOVERABLE:
        bits |= DISCOVERABLE
    return bits


class _Flags(Protocol):
    alive: bytearray
    flags: bytearray


def discoverable_at(projection: _Flags, member: int) -> bool:
    """May this projected member be suggested or shown in a path (alive and discoverable)?"""
    return bool(projection.alive[member]) and bool(projection.flags[member] & DISCOVERABLE)


class _Members(_Flags, Protocol):
    reach: bytearray

    # read-only, so that a projection's ``list[str]`` matches
    @property
    def ids(self) -> Sequence[str]: ...

    def member_clubs(self, member: int) -> tuple[int, ...]: ...


def shares_club(projection: _Members, member: int, viewer: Viewer) -> bool:
    """Is projected ``member`` in one of the viewer's clubs (always, for a university-wide viewer)?"""
    if viewer.clubs is None:
        return True
    return any(c in viewer.clubs for c in projection.member_clubs(member))


def in_reach(projection: _Members, member: int, viewer: Viewer) -> bool:
    """May ``viewer``'s clubs find projected ``member``: a member of one of them, or one who
    chose to be discoverable to the whole university. Discoverability is apart
    (:func:`visible_to`)."""
    return bool(projection.reach[member]) or shares_club(projection, member, viewer)


def visible_to(projection: _Members, member: int | None, viewer: Viewer) -> bool:
    """May ``viewer`` know that projected ``member`` exists at all?

    The projection's form of :func:`visible_member`: alive, and discoverable unless the
    viewer is the member itself or privileged; and within the viewer's clubs
    (:func:`in_reach`) unless it is the member itself. A privileged viewer scoped to clubs
    is privileged for their members only. A member this refuses must be answered exactly
    like an id that names no one.
    """
    if member is None or not projection.alive[member]:
        return False
    if viewer.member_id is not None and viewer.member_id == projection.ids[member]:
        return True
    shared = shares_club(projection, member, viewer)
    if viewer.privileged and shared:
        return True
    return bool(projection.flags[member] & DISCOVERABLE) and (shared or bool(projection.reach[member]))


def broker_at(projection: _Flags, member: int) -> bool:
    """May this projected member be an intermediate of an introduction path?"""
    need = DISCOVERABLE | OPEN_TO_INTROS
    return bool(projection.alive[member]) and projection.flags[member] & need == need


def mentor_at(projection: _Flags, member: int) -> bool:
    """May this projected member be proposed as a mentor?"""
    need = DISCOVERABLE | OPEN_TO_MENTOR
    return bool(projection.alive[member]) and projection.flags[member] & need == need


def shares_employer_at(projection: _Flags, member: int) -> bool:
    """May others be told where this projected member works?"""
    return bool(projection.flags[member] & SHARE_EMPLOYER)


def visible_members(projection: _Flags, members: Iterable[int]) -> list[int]:
    """``members`` without anyone who may not be shown, order kept."""
    return [m for m in members if discoverable_at(projection, m)]


def path_allowed(projection: _Flags, path: Sequence[int]) -> bool:
    """A path from ``path[0]`` (who asks) may be shown: every other member discoverable,
    every intermediate open to introductions."""
    if len(path) < 2 or not all(discoverable_at(projection, m) for m in path[1:]):
        return False
    return all(broker_at(projection, m) for m in path[1:-1])
