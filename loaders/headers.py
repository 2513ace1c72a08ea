"""Column headers a club's sheet may have, in Slovenian and English, and what they mean.

Pure data and functions. A header is compared folded (case, accents, punctuation and
spacing ignored: ``E-pošta``, ``E-posta``, ``e posta`` and ``EPOŠTA`` are one), with a
number in it taken as the group of a repeated column (``Podjetje 2`` is the employer of
the second position). A two-level header (a merged ``Zaposlitev 1`` above ``Podjetje``)
is tried whole and then by its lower part.

What a header means depends on what a row of its sheet is: the member id of a members
sheet is the member's ``id``, of an employment sheet the position's ``member_id``.
docs/sync.md lists the headers.
"""

from __future__ import annotations

import re

from graph.normalize import fold

#: Folded header → concept. Concepts are not the model's fields: see ``target_for``.
_HEADERS: dict[str, tuple[str, ...]] = {
    "member_id": (
        "id",
        "sifra",
        "sifra clana",
        "id clana",
        "clanska stevilka",
        "stevilka clana",
        "st clana",
        "clanska st",
        "evidencna stevilka",
        "member id",
        "member number",
        "membership number",
        "alumni id",
        "alumnus id",
        "student id",
        "vpisna stevilka",
        "crm id",
        "contact id",
        "oseba id",
    ),
    "name": (
        "ime in priimek",
        "ime priimek",
        "polno ime",
        "name",
        "full name",
        "ime clana",
        "member name",
        "alumnus",
        "clan",
        "diplomant",
    ),
    "name_last_first": (
        "priimek in ime",
        "priimek ime",
        "last name first name",
        "surname name",
        "surname first name",
    ),
    "first_name": ("ime", "first name", "given name", "firstname", "forename", "krstno ime"),
    "last_name": ("priimek", "last name", "surname", "family name", "lastname"),
    "email": (
        "e posta",
        "eposta",
        "email",
        "e mail",
        "mail",
        "elektronska posta",
        "e naslov",
        "elektronski naslov",
        "email address",
        "e mail address",
        "e posta clana",
    ),
    "phone": (
        "telefon",
        "tel",
        "gsm",
        "mobitel",
        "mobilni telefon",
        "telefonska stevilka",
        "phone",
        "mobile",
        "phone number",
        "mobile phone",
        "tel st",
    ),
    "address": (
        "naslov",
        "ulica",
        "postna stevilka",
        "posta",
        "address",
        "street",
        "postal code",
        "zip",
        "zip code",
        "hisna stevilka",
    ),
    "birth": (
        "datum rojstva",
        "rojen",
        "rojena",
        "leto rojstva",
        "date of birth",
        "birth date",
        "birthday",
        "dob",
        "emso",
    ),
    "gender": ("spol", "gender", "sex"),
    "linkedin": ("linkedin", "linkedin profil", "linkedin url", "linkedin profile"),
    "role": (
        "vloga",
        "role",
        "tip clana",
        "vrsta clana",
        "member type",
        "membership type",
        "kategorija clana",
    ),
    "headline": (
        "headline",
        "predstavitev",
        "kratka predstavitev",
        "profesionalni naziv",
        "opis",
        "bio",
        "about",
    ),
    "city": ("kraj", "mesto", "kraj bivanja", "city", "town", "location", "lokacija"),
    "country": ("drzava", "country", "drzava bivanja"),
    "graduation_year": (
        "leto diplome",
        "leto diplomiranja",
        "leto zakljucka",
        "leto zakljucka studija",
        "diplomiral",
        "diplomirala",
        "graduation year",
        "year of graduation",
        "class of",
        "graduated",
        "grad year",
        "generacija",
        "letnik diplome",
    ),
    "open_to_mentor": (
        "mentor",
        "zeli biti mentor",
        "bi bil mentor",
        "pripravljen biti mentor",
        "open to mentor",
        "willing to mentor",
        "mentor da ne",
    ),
    "mentor_capacity": (
        "st mentorirancev",
        "stevilo mentorirancev",
        "kapaciteta mentorja",
        "mentor capacity",
        "mentees",
        "max mentees",
    ),
    "seeking_mentor": (
        "isce mentorja",
        "zeli mentorja",
        "potrebuje mentorja",
        "seeking mentor",
        "wants a mentor",
        "looking for a mentor",
    ),
    "discoverable": (
        "javni profil",
        "viden",
        "vidnost",
        "javno",
        "prikaz v imeniku",
        "v imeniku",
        "discoverable",
        "visible",
        "public profile",
        "in directory",
        "directory",
    ),
    "open_to_intros": (
        "predstavitve",
        "odprt za predstavitve",
        "dovoli predstavitve",
        "open to intros",
        "open to introductions",
        "introductions",
    ),
    "employer": (
        "podjetje",
        "delodajalec",
        "zaposlitev",
        "organizacija",
        "ime podjetja",
        "zaposlen pri",
        "company",
        "employer",
        "organisation",
        "organization",
        "company name",
        "current company",
        "trenutno podjetje",
    ),
    "title": (
        "delovno mesto",
        "funkcija",
        "polozaj",
        "pozicija",
        "naziv delovnega mesta",
        "job title",
        "position",
        "title",
        "job",
        "role at company",
        "current position",
    ),
    "start": (
        "od",
        "zacetek",
        "zaposlen od",
        "datum zacetka",
        "start",
        "from",
        "start date",
        "since",
        "started",
    ),
    "end": ("do", "konec", "zaposlen do", "datum konca", "end", "to", "until", "end date", "ended"),
    "program": (
        "smer",
        "studijska smer",
        "program",
        "studijski program",
        "smer studija",
        "programme",
        "study programme",
        "study program",
        "major",
        "degree programme",
    ),
    "faculty": ("fakulteta", "sola", "faculty", "school", "college", "clanica"),
    "degree": (
        "stopnja",
        "stopnja studija",
        "strokovni naziv",
        "izobrazba",
        "degree",
        "degree level",
        "level of study",
    ),
    "skills": (
        "spretnosti",
        "vescine",
        "znanja",
        "kompetence",
        "vescine in znanja",
        "skills",
        "competences",
        "competencies",
        "expertise",
        "skill",
    ),
    "skill_level": ("raven", "nivo", "stopnja znanja", "level", "skill level", "proficiency"),
    "wants_skill": (
        "zeli se nauciti",
        "zelim se nauciti",
        "ucni cilj",
        "wants",
        "wants to learn",
        "learning goal",
    ),
    "interests": (
        "interesi",
        "podrocja interesa",
        "zanimanja",
        "interesna podrocja",
        "interests",
        "interest",
        "hobiji",
        "hobbies",
    ),
    "connections": ("poznanstva", "pozna", "zveze", "connections", "knows", "contacts"),
    "date": ("datum", "date"),
    "notes": ("opombe", "opomba", "komentar", "notes", "note", "comment", "comments"),
}

#: Folded header → concept, built once from the table above.
VOCABULARY: dict[str, str] = {header: concept for concept, headers in _HEADERS.items() for header in headers}

#: Concepts the model has no place for: recognised, said so, and not stored.
NOT_STORED: dict[str, str] = {
    "phone": "the model keeps no phone numbers",
    "address": "the model keeps no postal addresses",
    "birth": "the model keeps no birth dates",
    "gender": "the model keeps no gender",
    "linkedin": "profile links are not stored (a LinkedIn export loads with `alumni-graph load`)",
    "notes": "free notes are not stored",
}

#: What a row of a sheet is, from words in the sheet's (or CSV file's) name.
_SHEET_WORDS: dict[str, tuple[str, ...]] = {
    "members": (
        "clani",
        "clan",
        "diplomanti",
        "alumni",
        "members",
        "member",
        "imenik",
        "seznam",
        "kontakti",
        "contacts",
        "people",
        "osebe",
    ),
    "positions": (
        "zaposlitve",
        "zaposlitev",
        "delovne izkusnje",
        "izkusnje",
        "kariera",
        "employment",
        "positions",
        "jobs",
        "experience",
        "career",
    ),
    "cohorts": (
        "studij",
        "izobrazba",
        "kohorte",
        "generacije",
        "programi",
        "education",
        "cohorts",
        "studies",
        "degrees",
    ),
    "skills": ("spretnosti", "vescine", "znanja", "kompetence", "skills", "competences"),
    "interests": ("interesi", "zanimanja", "interests"),
    "connections": ("poznanstva", "zveze", "vezi", "connections", "ties", "network", "mreza"),
}

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
#: A number in a header is a group (``Podjetje 2``) up to this; larger ones are part of a name.
MAX_GROUP = 50


def fold_header(text: str) -> str:
    """``"E-pošta (službena)"`` → ``"e posta sluzbena"``: folded, punctuation as spaces."""
    folded = fold(text)
    folded = _LETTER_DIGIT.sub(" ", folded)
    return _NOT_ALNUM.sub(" ", folded).strip()


def split_group(folded: str) -> tuple[str, int | None]:
    """Take one small number out of a folded header: ``"podjetje 2"`` → ``("podjetje", 2)``."""
    words = folded.split()
    numbers = [i for i, w in enumerate(words) if w.isdigit() and 1 <= int(w) <= MAX_GROUP]
    if len(numbers) != 1 or len(words) == 1:
        return folded, None
    index = numbers[0]
    return " ".join(words[:index] + words[index + 1 :]), int(words[index])


def recognise(header: str, lower: str | None = None) -> tuple[str, int | None] | None:
    """The concept of a header and its group, or None; ``lower`` is a two-level header's lower part.

    Tried in order: the whole header, the header without what is in brackets, and the
    lower part of a two-level header (its group then comes from the upper part).
    """
    whole = fold_header(header if lower is None else f"{header} {lower}")
    candidates = [whole, fold_header(_PARENS.sub(" ", header if lower is None else f"{header} {lower}"))]
    for candidate in candidates:
        name, group = split_group(candidate)
        if name in VOCABULARY:
            return VOCABULARY[name], group
    if lower is not None:
        name, group = split_group(fold_header(_PARENS.sub(" ", lower)))
        if name in VOCABULARY:
            _, upper_group = split_group(fold_header(header))
            return VOCABULARY[name], group if group is not None else upper_group
    return None


def sheet_kind_from_name(name: str) -> str | None:
    """What a row of a sheet named ``name`` is, when its name says so."""
    words = fold_header(name)
    for kind, names in _SHEET_WORDS.items():
        for candidate in names:
            if re.search(rf"(^| ){candidate}($| )", words):
                return kind
    return None


def sheet_kind_from_concepts(concepts: list[str]) -> str | None:
    """What a row of a sheet is, from the concepts of its headers."""
    present = set(concepts)
    if present & {"name", "name_last_first", "first_name", "last_name"}:
        return "members"
    if concepts.count("member_id") >= 2 or ("connections" in present and "member_id" in present):
        return "connections"
    for concept, kind in (
        ("employer", "positions"),
        ("title", "positions"),
        ("skills", "skills"),
        ("interests", "interests"),
        ("program", "cohorts"),
    ):
        if concept in present:
            return kind
    if "member_id" in present and present & {"email", "city", "country", "graduation_year"}:
        return "members"
    return None


#: Concept → field, for a sheet whose rows are members (other kinds' fields are side records).
_ON_MEMBERS: dict[str, str] = {
    "member_id": "members.id",
    "name": "members.name",
    "name_last_first": "members.name",
    "first_name": "members.first_name",
    "last_name": "members.last_name",
    "email": "members.email",
    "role": "members.role",
    "headline": "members.headline",
    "city": "members.city",
    "country": "members.country",
    "graduation_year": "members.graduation_year",
    "open_to_mentor": "members.open_to_mentor",
    "mentor_capacity": "members.mentor_capacity",
    "seeking_mentor": "members.seeking_mentor",
    "discoverable": "members.discoverable",
    "open_to_intros": "members.open_to_intros",
    "employer": "positions.employer_name",
    "title": "positions.title",
    "start": "positions.start",
    "end": "positions.end",
    "program": "cohorts.program",
    "faculty": "cohorts.faculty",
    "degree": "cohorts.degree",
    "skills": "skills.skill",
    "interests": "interests.interest",
    "connections": "connections.member_b",
}

_ON_KIND: dict[str, dict[str, str]] = {
    "positions": {
        "member_id": "positions.member_id",
        "employer": "positions.employer_name",
        "title": "positions.title",
        "start": "positions.start",
        "end": "positions.end",
    },
    "cohorts": {
        "member_id": "cohorts.member_id",
        "program": "cohorts.program",
        "graduation_year": "cohorts.year",
        "faculty": "cohorts.faculty",
        "degree": "cohorts.degree",
    },
    "skills": {
        "member_id": "skills.member_id",
        "skills": "skills.skill",
        "skill_level": "skills.level",
        "wants_skill": "skills.wants",
    },
    "interests": {"member_id": "interests.member_id", "interests": "interests.interest"},
    "connections": {
        "member_id": "connections.member_a",
        "connections": "connections.member_b",
        "start": "connections.since",
        "date": "connections.since",
    },
}


def target_for(concept: str, kind: str, taken: set[str]) -> str | None:
    """The field a concept fills on a sheet of ``kind``; ``taken`` are fields already filled.

    On a connections sheet the second member id column is ``member_b``.
    """
    table = _ON_MEMBERS if kind == "members" else _ON_KIND.get(kind, {})
    target = table.get(concept)
    if target == "connections.member_a" and target in taken:
        return "connections.member_b"
    return target
