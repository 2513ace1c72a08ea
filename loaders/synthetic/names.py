"""Names, home places and e-mail addresses of synthetic people.

About three in four members are Slovenian, with the diacritics real club data carries
(č, š, ž, and ć, đ in surnames of Balkan origin); the rest come from the countries a
Slovenian faculty's students and partners typically come from.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from graph.normalize import fold

SLOVENIAN_FEMALE = (
    "Ana",
    "Maja",
    "Nina",
    "Eva",
    "Špela",
    "Urška",
    "Tjaša",
    "Sara",
    "Nika",
    "Petra",
    "Katja",
    "Mojca",
    "Barbara",
    "Tina",
    "Mateja",
    "Anja",
    "Lara",
    "Klara",
    "Živa",
    "Neža",
    "Pia",
    "Zala",
    "Ajda",
    "Tanja",
    "Polona",
    "Jasna",
    "Alenka",
    "Metka",
    "Nataša",
    "Irena",
    "Andreja",
    "Vesna",
    "Darja",
    "Helena",
    "Lucija",
    "Ema",
    "Julija",
    "Manca",
    "Lea",
    "Brina",
    "Kaja",
    "Tamara",
    "Jerneja",
    "Simona",
    "Monika",
    "Bojana",
    "Mojca",
    "Teja",
    "Vita",
    "Hana",
)
SLOVENIAN_MALE = (
    "Luka",
    "Žiga",
    "Jure",
    "Matej",
    "Rok",
    "Nejc",
    "Gašper",
    "Blaž",
    "Aljaž",
    "Tadej",
    "Miha",
    "Jan",
    "Anže",
    "Jaka",
    "Matic",
    "Urban",
    "Primož",
    "Gregor",
    "Andrej",
    "Marko",
    "Tomaž",
    "Boštjan",
    "Uroš",
    "Matjaž",
    "Peter",
    "Janez",
    "Jernej",
    "Domen",
    "Nik",
    "Tilen",
    "Žan",
    "Klemen",
    "Aleš",
    "Dejan",
    "Igor",
    "Mitja",
    "Robert",
    "Borut",
    "Tine",
    "Vid",
    "Lovro",
    "Bor",
    "Maks",
    "Jakob",
    "Filip",
    "Martin",
    "Simon",
    "Sašo",
    "Grega",
    "Dušan",
)
SLOVENIAN_SURNAMES = (
    "Novak",
    "Horvat",
    "Kovačič",
    "Krajnc",
    "Zupančič",
    "Potočnik",
    "Kovač",
    "Mlakar",
    "Kos",
    "Vidmar",
    "Golob",
    "Turk",
    "Kralj",
    "Zupan",
    "Bizjak",
    "Hribar",
    "Korošec",
    "Rozman",
    "Kotnik",
    "Oblak",
    "Petek",
    "Kastelic",
    "Kolar",
    "Žagar",
    "Šušteršič",
    "Kavčič",
    "Žnidaršič",
    "Koželj",
    "Božič",
    "Jerman",
    "Mrak",
    "Vovk",
    "Babič",
    "Kolenc",
    "Logar",
    "Primožič",
    "Pirc",
    "Jereb",
    "Kocjančič",
    "Pavlič",
    "Jenko",
    "Lešnik",
    "Dolenc",
    "Medved",
    "Zorko",
    "Tomažič",
    "Kranjc",
    "Sever",
    "Koren",
    "Marolt",
    "Rupnik",
    "Žibert",
    "Hočevar",
    "Černe",
    "Furlan",
    "Erjavec",
    "Bogataj",
    "Kobal",
    "Debeljak",
    "Majcen",
    "Zajc",
    "Cerar",
    "Jamnik",
    "Lah",
    "Bevc",
    "Košir",
    "Klemenčič",
    "Vidic",
    "Gregorič",
    "Ribič",
    "Knez",
    "Štrukelj",
    "Lesjak",
    "Čeh",
    "Blatnik",
    "Mavrič",
    "Perko",
    "Uršič",
    "Kokalj",
    "Ferjančič",
    "Ambrožič",
    "Šinkovec",
    "Jug",
    "Rebec",
    "Kuhar",
    "Bergant",
    "Leban",
    "Gorišek",
    "Čuk",
    "Arh",
    "Pintar",
    "Fras",
    "Hren",
    "Dežman",
    "Ahačič",
    "Hafner",
    "Lavrič",
    "Ocvirk",
    "Smrekar",
    "Zakrajšek",
    "Meglič",
    "Šuštar",
    "Ramovš",
    "Bajec",
    "Gorenc",
    "Bukovec",
    "Eržen",
    "Jakopič",
    "Fajfar",
)
#: Surnames of Balkan origin common in Slovenia: they bring ć and đ into the data.
SLOVENIAN_BALKAN_SURNAMES = (
    "Hodžić",
    "Begić",
    "Kovačević",
    "Đurić",
    "Marić",
    "Jovanović",
    "Petrović",
    "Hadžić",
    "Delić",
    "Nikolić",
    "Đorđević",
    "Mujić",
    "Šarić",
    "Ilić",
)


@dataclass(frozen=True, slots=True)
class Nationality:
    """Names and home cities of one group of international members."""

    country: str
    cities: tuple[str, ...]
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]  # "Kowalski|Kowalska" gives a female form after the bar
    weight: float


NATIONALITIES: tuple[Nationality, ...] = (
    Nationality(
        "Croatia",
        ("Zagreb", "Split", "Rijeka", "Osijek"),
        ("Ana", "Petra", "Ivana", "Marija", "Katarina", "Lucija", "Mia"),
        ("Ivan", "Marko", "Luka", "Tomislav", "Josip", "Ante", "Filip"),
        (
            "Horvat",
            "Kovačević",
            "Babić",
            "Marić",
            "Jurić",
            "Knežević",
            "Vuković",
            "Đurić",
            "Matić",
            "Perić",
            "Tomić",
            "Pavlović",
        ),
        5,
    ),
    Nationality(
        "Serbia",
        ("Belgrade", "Novi Sad", "Niš"),
        ("Jelena", "Milica", "Dragana", "Ana", "Teodora"),
        ("Nikola", "Milan", "Stefan", "Lazar", "Đorđe"),
        ("Jovanović", "Petrović", "Nikolić", "Đorđević", "Stojanović", "Ilić", "Marković"),
        3,
    ),
    Nationality(
        "Bosnia and Herzegovina",
        ("Sarajevo", "Banja Luka", "Tuzla"),
        ("Emina", "Lejla", "Amra", "Selma"),
        ("Amir", "Adnan", "Emir", "Haris"),
        ("Hodžić", "Hadžić", "Begić", "Delić", "Mehmedović", "Kovačević"),
        3,
    ),
    Nationality(
        "Austria",
        ("Vienna", "Graz", "Klagenfurt", "Linz"),
        ("Anna", "Katharina", "Julia", "Lena", "Sophie"),
        ("Lukas", "Tobias", "Florian", "David", "Jakob"),
        ("Gruber", "Huber", "Bauer", "Wagner", "Pichler", "Steiner", "Moser"),
        3,
    ),
    Nationality(
        "Germany",
        ("Munich", "Berlin", "Frankfurt", "Hamburg"),
        ("Laura", "Sophie", "Lena", "Hannah", "Lea"),
        ("Maximilian", "Felix", "Jonas", "Paul", "Leon"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann"),
        3,
    ),
    Nationality(
        "Italy",
        ("Milan", "Trieste", "Rome", "Udine"),
        ("Giulia", "Francesca", "Chiara", "Sofia", "Martina"),
        ("Marco", "Alessandro", "Luca", "Matteo", "Lorenzo"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo"),
        3,
    ),
    Nationality(
        "Hungary",
        ("Budapest", "Debrecen"),
        ("Eszter", "Réka", "Zsófia", "Anna"),
        ("Bence", "Dániel", "Ádám", "Máté"),
        ("Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga"),
        1.5,
    ),
    Nationality(
        "Poland",
        ("Warsaw", "Kraków", "Wrocław"),
        ("Zofia", "Agnieszka", "Małgorzata", "Katarzyna"),
        ("Jakub", "Kacper", "Piotr", "Łukasz"),
        (
            "Kowalski|Kowalska",
            "Wiśniewski|Wiśniewska",
            "Wójcik",
            "Kamiński|Kamińska",
            "Lewandowski|Lewandowska",
        ),
        1.5,
    ),
    Nationality(
        "Czechia",
        ("Prague", "Brno"),
        ("Tereza", "Lucie", "Kateřina", "Eliška"),
        ("Jan", "Petr", "Tomáš", "Jiří"),
        ("Novák|Nováková", "Dvořák|Dvořáková", "Svoboda|Svobodová", "Černý|Černá"),
        1.5,
    ),
    Nationality(
        "United Kingdom",
        ("London", "Manchester", "Edinburgh"),
        ("Emily", "Sophie", "Charlotte", "Olivia"),
        ("James", "Oliver", "Harry", "George"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson"),
        1.5,
    ),
    Nationality(
        "United States",
        ("New York", "Boston", "San Francisco", "Chicago"),
        ("Emily", "Sarah", "Jessica", "Ashley"),
        ("Michael", "David", "Daniel", "Christopher"),
        ("Johnson", "Miller", "Davis", "Garcia", "Anderson", "O'Brien"),
        1.5,
    ),
    Nationality(
        "France",
        ("Paris", "Lyon"),
        ("Camille", "Chloé", "Léa", "Manon"),
        ("Louis", "Hugo", "Théo", "Lucas"),
        ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau"),
        1,
    ),
    Nationality(
        "Spain",
        ("Madrid", "Barcelona", "Valencia"),
        ("Lucía", "Elena", "Carmen", "Paula"),
        ("Pablo", "Javier", "Álvaro", "Diego"),
        ("García", "Fernández", "López", "Martínez", "Sánchez"),
        1,
    ),
    Nationality(
        "India",
        ("Bangalore", "Mumbai", "Delhi"),
        ("Priya", "Ananya", "Neha", "Divya"),
        ("Arjun", "Rahul", "Vikram", "Rohan"),
        ("Sharma", "Patel", "Gupta", "Iyer", "Reddy"),
        1,
    ),
    Nationality(
        "China",
        ("Shanghai", "Beijing", "Shenzhen"),
        ("Jing", "Li Na", "Xin", "Yan"),
        ("Wei", "Hao", "Jun", "Lei"),
        ("Wang", "Li", "Zhang", "Liu", "Chen"),
        1,
    ),
    Nationality(
        "Netherlands",
        ("Amsterdam", "Rotterdam", "Utrecht"),
        ("Sanne", "Lotte", "Femke"),
        ("Daan", "Bram", "Sem"),
        ("de Vries", "Jansen", "van Dijk", "Bakker", "Visser"),
        0.8,
    ),
)
_NATIONALITY_WEIGHTS = tuple(n.weight for n in NATIONALITIES)

_EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.si", "alumni.example.si")
_EMAIL_DOMAIN_WEIGHTS = (4, 2, 2, 3, 1)


def pick_nationality(rng: random.Random) -> Nationality:
    return rng.choices(NATIONALITIES, _NATIONALITY_WEIGHTS)[0]


def slovenian_name(rng: random.Random) -> str:
    first = rng.choice(SLOVENIAN_FEMALE if rng.random() < 0.5 else SLOVENIAN_MALE)
    if rng.random() < 0.06:
        last = rng.choice(SLOVENIAN_BALKAN_SURNAMES)
    else:
        last = rng.choice(SLOVENIAN_SURNAMES)
        # double surnames after marriage are common enough to matter for name search
        if rng.random() < 0.04:
            last = f"{last} {rng.choice(SLOVENIAN_SURNAMES)}"
    return f"{first} {last}"


def foreign_name(rng: random.Random, nationality: Nationality) -> str:
    female = rng.random() < 0.5
    first = rng.choice(nationality.female if female else nationality.male)
    last = rng.choice(nationality.surnames)
    if "|" in last:
        masculine, feminine = last.split("|")
        last = feminine if female else masculine
    return f"{first} {last}"


class EmailBook:
    """Unique, plausible addresses on reserved example domains (never a real mailbox)."""

    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def make(self, rng: random.Random, name: str) -> str:
        parts = [p for p in fold(name).replace("'", "").replace("-", " ").split() if p]
        style = rng.random()
        if style < 0.6:
            local = ".".join(parts)
        elif style < 0.85:
            local = parts[0][0] + "".join(parts[1:])
        else:
            local = "".join(parts) + str(rng.randint(1, 99))
        domain = rng.choices(_EMAIL_DOMAINS, _EMAIL_DOMAIN_WEIGHTS)[0]
        address = f"{local}@{domain}"
        n = self._used.get(address, 0)
        self._used[address] = n + 1
        if n:
            address = f"{local}{n + 1}@{domain}"
            # the numbered spelling may itself be taken by an earlier "name42" style
            while address in self._used:
                n += 1
                address = f"{local}{n + 1}@{domain}"
            self._used[address] = 1
        return address
