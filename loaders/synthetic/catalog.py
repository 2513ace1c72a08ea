"""The fixed world the synthetic members live in: programmes, employers, jobs and skills.

Pure data plus a few look-ups. Employers and programmes look real so that demos and
suggestions read naturally; everything a member does is drawn against these tables,
which is what makes the generated graph cluster the way a real club's graph does
(economists end up in banks, computer scientists at Outfit7 and Google).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from graph.normalize import employer_key

#: The "today" of the generated world. Fixed, so that output never depends on the clock.
REFERENCE_YEAR = 2025
REFERENCE_MONTH = 6
#: The first class year of any cohort.
FIRST_CLASS_YEAR = 1990
#: Class years from this one on are still studying at the reference date.
FIRST_STUDENT_YEAR = REFERENCE_YEAR
LAST_CLASS_YEAR = REFERENCE_YEAR + 2


@dataclass(frozen=True, slots=True)
class Programme:
    """A study programme; its cohorts are (programme, class year)."""

    name: str
    faculty: str
    degree: str
    city: str
    country: str
    years: int  # nominal length: a cohort's ties start this many years before its class year
    weight: float  # relative size of a class
    industries: dict[str, float]
    functions: dict[str, float]
    skills: tuple[str, ...]
    interests: tuple[str, ...] = ()


@dataclass(slots=True)
class Employer:
    """An employer as written to employers.csv, plus what the generator needs to place people."""

    id: str
    name: str
    industry: str
    city: str
    country: str
    aliases: tuple[str, ...] = ()
    weight: float = 1.0
    #: Spellings a position may use instead of the id; each has the same employer_key as name.
    variants: tuple[str, ...] = field(default=())

    @property
    def slovenian(self) -> bool:
        return self.country == "Slovenia"


# --- jobs --------------------------------------------------------------------------------

#: Job ladders: five seniority levels, each a few titles.
LADDERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "finance": (
        ("Junior Analyst", "Financial Analyst"),
        ("Senior Financial Analyst", "Senior Analyst"),
        ("Finance Manager", "Controller"),
        ("Head of Finance", "Finance Director"),
        ("CFO",),
    ),
    "banking": (
        ("Credit Analyst", "Risk Analyst"),
        ("Senior Risk Analyst", "Relationship Manager"),
        ("Portfolio Manager", "Head of Credit Risk"),
        ("Director of Corporate Banking",),
        ("Management Board Member",),
    ),
    "consulting": (
        ("Business Analyst", "Associate Consultant"),
        ("Consultant", "Senior Consultant"),
        ("Engagement Manager", "Manager"),
        ("Senior Manager", "Director"),
        ("Partner",),
    ),
    "audit": (
        ("Audit Assistant", "Tax Assistant"),
        ("Senior Auditor", "Tax Consultant"),
        ("Audit Manager", "Tax Manager"),
        ("Senior Manager",),
        ("Partner",),
    ),
    "marketing": (
        ("Marketing Assistant", "Marketing Specialist"),
        ("Brand Manager", "Digital Marketing Lead"),
        ("Marketing Manager",),
        ("Head of Marketing",),
        ("CMO",),
    ),
    "sales": (
        ("Sales Representative", "Account Executive"),
        ("Key Account Manager", "Senior Account Executive"),
        ("Sales Manager", "Business Development Manager"),
        ("Head of Sales", "Regional Director"),
        ("Chief Commercial Officer",),
    ),
    "software": (
        ("Junior Developer", "Software Engineer"),
        ("Senior Software Engineer",),
        ("Tech Lead", "Engineering Manager"),
        ("Head of Engineering", "Principal Engineer"),
        ("CTO",),
    ),
    "data": (
        ("Data Analyst", "Junior Data Scientist"),
        ("Data Scientist", "Senior Data Analyst"),
        ("Senior Data Scientist", "ML Engineer"),
        ("Head of Data",),
        ("Chief Data Officer",),
    ),
    "product": (
        ("Product Analyst", "Associate Product Manager"),
        ("Product Manager",),
        ("Senior Product Manager",),
        ("Head of Product", "Director of Product"),
        ("Chief Product Officer",),
    ),
    "legal": (
        ("Trainee Lawyer", "Legal Associate"),
        ("Associate", "Legal Counsel"),
        ("Senior Associate", "Senior Legal Counsel"),
        ("Head of Legal", "Counsel"),
        ("Partner", "General Counsel"),
    ),
    "engineering": (
        ("Junior Engineer", "Design Engineer"),
        ("Mechanical Engineer", "Process Engineer"),
        ("Senior Engineer", "Project Engineer"),
        ("Engineering Manager", "Plant Manager"),
        ("Technical Director",),
    ),
    "research": (
        ("Research Associate", "Laboratory Analyst"),
        ("Scientist", "Clinical Research Associate"),
        ("Senior Scientist", "Regulatory Affairs Manager"),
        ("Head of R&D",),
        ("Chief Scientific Officer",),
    ),
    "medicine": (
        ("Resident Physician",),
        ("Physician",),
        ("Specialist Physician",),
        ("Head of Department",),
        ("Medical Director",),
    ),
    "hr": (
        ("HR Assistant", "Recruiter"),
        ("HR Business Partner", "Talent Acquisition Specialist"),
        ("HR Manager",),
        ("Head of People",),
        ("Chief People Officer",),
    ),
    "operations": (
        ("Logistics Coordinator", "Procurement Specialist"),
        ("Supply Chain Analyst", "Buyer"),
        ("Operations Manager", "Supply Chain Manager"),
        ("Head of Operations",),
        ("COO",),
    ),
    "public": (
        ("Advisor",),
        ("Senior Advisor",),
        ("Head of Unit",),
        ("Director-General",),
        ("State Secretary",),
    ),
    "academia": (
        ("Teaching Assistant", "Researcher"),
        ("Assistant Professor",),
        ("Associate Professor",),
        ("Professor",),
        ("Dean",),
    ),
    "psychology": (
        ("Psychologist",),
        ("Clinical Psychologist", "Organisational Psychologist"),
        ("Senior Psychologist",),
        ("Head of Counselling",),
        ("Director",),
    ),
    "management": (
        ("Management Trainee", "Project Coordinator"),
        ("Project Manager",),
        ("Department Manager", "General Manager"),
        ("Managing Director",),
        ("CEO",),
    ),
    "architecture": (
        ("Junior Architect",),
        ("Architect",),
        ("Senior Architect", "Project Architect"),
        ("Lead Architect",),
        ("Founding Partner",),
    ),
}

#: Skills by job function; members pick most of their skills from what they did.
FUNCTION_SKILLS: dict[str, tuple[str, ...]] = {
    "finance": (
        "Financial analysis",
        "Financial modelling",
        "Accounting",
        "Valuation",
        "Microsoft Excel",
        "Controlling",
        "Budgeting",
        "IFRS",
        "Corporate finance",
    ),
    "banking": (
        "Credit risk",
        "Risk management",
        "Financial analysis",
        "Corporate finance",
        "Regulatory compliance",
        "Microsoft Excel",
        "Basel III",
    ),
    "consulting": (
        "Strategy",
        "Business analysis",
        "Microsoft PowerPoint",
        "Project management",
        "Change management",
        "Process improvement",
        "Stakeholder management",
    ),
    "audit": ("Auditing", "IFRS", "Accounting", "Tax", "Internal controls", "Microsoft Excel"),
    "marketing": (
        "Marketing",
        "Digital marketing",
        "Brand management",
        "SEO",
        "Market research",
        "Content marketing",
        "Google Analytics",
        "Social media marketing",
    ),
    "sales": ("Sales", "Negotiation", "Key account management", "CRM", "Business development", "Salesforce"),
    "software": (
        "Python",
        "Java",
        "JavaScript",
        "TypeScript",
        "SQL",
        "Docker",
        "Kubernetes",
        "Git",
        "C#",
        "Go",
        "React",
        "Cloud computing",
        "C++",
    ),
    "data": (
        "Python",
        "Machine learning",
        "SQL",
        "Data science",
        "Statistics",
        "R",
        "Business intelligence",
        "Deep learning",
        "Natural language processing",
        "Power BI",
    ),
    "product": ("Product management", "User experience", "Agile", "Scrum", "Roadmapping", "A/B testing"),
    "legal": (
        "Corporate law",
        "Contract law",
        "Competition law",
        "GDPR",
        "Litigation",
        "Mergers and acquisitions",
        "EU law",
    ),
    "engineering": (
        "CAD",
        "SolidWorks",
        "Lean manufacturing",
        "Six Sigma",
        "Mechanical design",
        "Quality management",
        "FEM analysis",
        "Automation",
        "PLC programming",
        "MATLAB",
    ),
    "research": (
        "Research",
        "Clinical trials",
        "Regulatory affairs",
        "GMP",
        "Analytical chemistry",
        "Biostatistics",
        "HPLC",
    ),
    "medicine": (
        "Clinical medicine",
        "Internal medicine",
        "Surgery",
        "Patient care",
        "Clinical research",
        "Cardiology",
        "Emergency medicine",
    ),
    "hr": ("Human resources", "Recruiting", "Talent management", "Labour law", "Coaching"),
    "operations": (
        "Supply chain management",
        "Logistics",
        "Procurement",
        "Operations management",
        "SAP",
        "Lean manufacturing",
    ),
    "public": ("Public policy", "EU funds", "Public procurement", "Policy analysis", "Public administration"),
    "academia": ("Research", "Teaching", "Academic writing", "Statistics", "Grant writing"),
    "psychology": ("Psychology", "Counselling", "Coaching", "Organisational psychology", "Psychometrics"),
    "management": (
        "Leadership",
        "Strategy",
        "General management",
        "Change management",
        "People management",
        "Negotiation",
    ),
    "architecture": ("Architecture", "AutoCAD", "Revit", "Urban planning", "BIM"),
}

#: Skills anyone may list, whatever they studied.
GENERAL_SKILLS = (
    "Leadership",
    "Public speaking",
    "Negotiation",
    "Project management",
    "Microsoft Excel",
    "Teamwork",
    "English",
    "German",
    "Italian",
    "Communication",
    "Time management",
)

#: Spellings members type for a few skills; each folds to the canonical key (graph.normalize).
SKILL_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Machine learning": ("ML", "Strojno učenje"),
    "Project management": ("PM", "Projektno vodenje", "Vodenje projektov"),
    "Microsoft Excel": ("Excel", "MS Excel"),
    "Microsoft PowerPoint": ("PowerPoint",),
    "JavaScript": ("JS",),
    "Python": ("Python3",),
    "Kubernetes": ("k8s",),
    "Accounting": ("Računovodstvo",),
    "Marketing": ("Trženje",),
    "Financial analysis": ("Finančna analiza", "Finančne analize"),
    "Data science": ("Podatkovna znanost",),
    "User experience": ("UX", "UX design"),
    "Human resources": ("HR", "Kadrovanje"),
    "Sales": ("Prodaja",),
    "Negotiation": ("Pogajanja",),
    "Leadership": ("Vodenje",),
    "Natural language processing": ("NLP",),
    "Business intelligence": ("BI",),
}

#: Which job functions each industry has; a member's function is drawn from the overlap
#: of this and what their programme prepares for.
INDUSTRY_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "Pharmaceuticals": ("research", "sales", "marketing", "finance", "operations", "data", "legal", "hr"),
    "Banking": ("banking", "finance", "data", "software", "legal", "hr", "marketing", "sales"),
    "Insurance": ("finance", "sales", "data", "banking", "legal", "marketing"),
    "Energy": ("engineering", "finance", "operations", "data", "management"),
    "Manufacturing": ("engineering", "operations", "sales", "finance", "hr", "management"),
    "Automotive": ("engineering", "operations", "sales", "finance", "management"),
    "Telecommunications": ("software", "sales", "marketing", "engineering", "data", "product"),
    "Retail": ("sales", "marketing", "operations", "finance", "hr", "management"),
    "Software": ("software", "data", "product", "sales", "marketing"),
    "Gaming": ("software", "product", "marketing", "data"),
    "Fintech": ("software", "data", "product", "finance", "legal"),
    "Consulting": ("consulting", "data", "finance", "management"),
    "Professional services": ("audit", "consulting", "finance", "legal"),
    "Aviation": ("engineering", "operations", "sales", "management"),
    "Logistics": ("operations", "sales", "finance", "management"),
    "Healthcare": ("medicine", "psychology", "hr", "operations"),
    "Public administration": ("public", "legal", "finance"),
    "Higher education": ("academia",),
    "Legal services": ("legal",),
    "Food and beverage": ("sales", "marketing", "operations", "finance"),
    "Chemicals": ("research", "engineering", "operations", "sales"),
    "Electronics": ("engineering", "software", "operations", "sales"),
    "Internet": ("software", "data", "product", "marketing", "sales"),
    "Construction and real estate": ("architecture", "engineering", "operations", "finance"),
    "Sporting goods": ("marketing", "sales", "engineering", "product"),
    "International organisations": ("public", "finance", "data", "legal"),
}

# --- programmes --------------------------------------------------------------------------

_BUSINESS_IND = {
    "Banking": 3,
    "Consulting": 2,
    "Professional services": 2,
    "Insurance": 1.5,
    "Retail": 1,
    "Food and beverage": 1,
    "Manufacturing": 1,
    "Pharmaceuticals": 0.8,
    "Energy": 0.7,
    "Telecommunications": 0.6,
    "Public administration": 0.6,
    "Logistics": 0.5,
    "Fintech": 0.4,
}
_BUSINESS_FUN = {
    "finance": 3,
    "banking": 2,
    "consulting": 2,
    "audit": 1.5,
    "marketing": 1.5,
    "sales": 1.5,
    "management": 1,
    "operations": 0.6,
    "hr": 0.5,
    "data": 0.4,
    "public": 0.3,
}
_TECH_IND = {
    "Software": 4,
    "Internet": 2,
    "Gaming": 1.5,
    "Fintech": 1.5,
    "Telecommunications": 1.5,
    "Banking": 1,
    "Consulting": 0.8,
    "Electronics": 0.8,
    "Higher education": 0.3,
}
_TECH_FUN = {"software": 5, "data": 2, "product": 1.2, "consulting": 0.4, "academia": 0.2, "management": 0.2}
_ENG_IND = {
    "Manufacturing": 3,
    "Automotive": 3,
    "Energy": 1.5,
    "Aviation": 1,
    "Electronics": 1.5,
    "Consulting": 0.4,
    "Construction and real estate": 0.5,
    "Chemicals": 0.4,
}
_ENG_FUN = {"engineering": 5, "operations": 1.5, "management": 1, "sales": 0.5, "software": 0.5}
_MBA_IND = {
    "Banking": 1.5,
    "Consulting": 2,
    "Pharmaceuticals": 1,
    "Manufacturing": 1,
    "Software": 1,
    "Retail": 1,
    "Energy": 1,
    "Telecommunications": 1,
    "Professional services": 1,
    "Internet": 0.6,
    "Insurance": 0.8,
    "Automotive": 0.6,
    "Food and beverage": 0.6,
}
_MBA_FUN = {
    "management": 4,
    "consulting": 1.5,
    "finance": 1.5,
    "sales": 1.2,
    "marketing": 1.2,
    "operations": 1,
    "product": 0.6,
    "hr": 0.4,
}
_BIZ_SKILLS = ("Economics", "Financial analysis", "Accounting", "Microsoft Excel", "Statistics", "Marketing")
_MBA_SKILLS = ("Strategy", "Leadership", "Negotiation", "Corporate finance", "General management")


def _p(
    name: str,
    faculty: str,
    degree: str,
    city: str,
    country: str,
    years: int,
    weight: float,
    industries: dict[str, float],
    functions: dict[str, float],
    skills: tuple[str, ...],
    interests: tuple[str, ...] = (),
) -> Programme:
    return Programme(
        name, faculty, degree, city, country, years, weight, industries, functions, skills, interests
    )


EF = "Ekonomska fakulteta"
FRI = "Fakulteta za računalništvo in informatiko"

#: Programme names are unique: the bundle names a programme by its name.
PROGRAMMES: tuple[Programme, ...] = (
    _p("Economics", EF, "BSc", "Ljubljana", "Slovenia", 3, 1.6, _BUSINESS_IND, _BUSINESS_FUN, _BIZ_SKILLS),
    _p(
        "Business Administration",
        EF,
        "MSc",
        "Ljubljana",
        "Slovenia",
        2,
        1.4,
        _BUSINESS_IND,
        _BUSINESS_FUN,
        _BIZ_SKILLS + ("Strategy",),
    ),
    _p(
        "Finance",
        EF,
        "MSc",
        "Ljubljana",
        "Slovenia",
        2,
        0.8,
        {"Banking": 4, "Insurance": 2, "Professional services": 2, "Fintech": 1, "Consulting": 1},
        {"finance": 4, "banking": 3, "audit": 1.5, "data": 0.5},
        ("Corporate finance", "Valuation", "Financial modelling", "Risk management", "Microsoft Excel"),
        ("Investing",),
    ),
    _p(
        "Marketing",
        EF,
        "MSc",
        "Ljubljana",
        "Slovenia",
        2,
        0.8,
        {
            "Retail": 2,
            "Food and beverage": 2,
            "Telecommunications": 1,
            "Internet": 1,
            "Pharmaceuticals": 1,
            "Software": 0.8,
            "Sporting goods": 0.6,
        },
        {"marketing": 5, "sales": 2, "product": 1, "data": 0.3},
        ("Marketing", "Market research", "Brand management", "Consumer behaviour"),
    ),
    _p("International MBA", EF, "MBA", "Ljubljana", "Slovenia", 2, 0.6, _MBA_IND, _MBA_FUN, _MBA_SKILLS),
    _p(
        "Computer Science",
        FRI,
        "BSc",
        "Ljubljana",
        "Slovenia",
        3,
        1.4,
        _TECH_IND,
        _TECH_FUN,
        ("Python", "Java", "Algorithms", "SQL", "C++"),
    ),
    _p(
        "Data Science",
        FRI,
        "MSc",
        "Ljubljana",
        "Slovenia",
        2,
        0.6,
        _TECH_IND | {"Banking": 1.5},
        {"data": 5, "software": 2, "academia": 0.3},
        ("Python", "Machine learning", "Statistics", "SQL"),
    ),
    _p(
        "Law",
        "Pravna fakulteta",
        "LLM",
        "Ljubljana",
        "Slovenia",
        5,
        1.2,
        {
            "Legal services": 5,
            "Public administration": 2,
            "Banking": 1,
            "Professional services": 1,
            "International organisations": 0.5,
            "Insurance": 0.5,
        },
        {"legal": 6, "public": 1, "hr": 0.3},
        ("Corporate law", "Contract law", "EU law", "Legal writing"),
    ),
    _p(
        "Mechanical Engineering",
        "Fakulteta za strojništvo",
        "MEng",
        "Ljubljana",
        "Slovenia",
        5,
        1.0,
        _ENG_IND,
        _ENG_FUN,
        ("Mechanical design", "CAD", "Thermodynamics", "MATLAB"),
    ),
    _p(
        "Electrical Engineering",
        "Fakulteta za elektrotehniko",
        "BSc",
        "Ljubljana",
        "Slovenia",
        3,
        0.9,
        _ENG_IND | {"Electronics": 3, "Telecommunications": 2, "Energy": 2},
        {"engineering": 4, "software": 1.5, "operations": 0.5},
        ("Electronics", "Signal processing", "MATLAB", "Power systems"),
    ),
    _p(
        "Medicine",
        "Medicinska fakulteta",
        "MD",
        "Ljubljana",
        "Slovenia",
        6,
        1.0,
        {"Healthcare": 8, "Pharmaceuticals": 1.5, "Higher education": 0.4},
        {"medicine": 8, "research": 2, "academia": 0.3},
        ("Clinical medicine", "Anatomy", "Patient care"),
    ),
    _p(
        "Psychology",
        "Filozofska fakulteta",
        "MSc",
        "Ljubljana",
        "Slovenia",
        5,
        0.7,
        {"Healthcare": 3, "Consulting": 1, "Public administration": 1, "Software": 0.5, "Retail": 0.5},
        {"psychology": 5, "hr": 2.5, "product": 0.4},
        ("Psychology", "Statistics", "Psychometrics"),
    ),
    _p(
        "Pharmacy",
        "Fakulteta za farmacijo",
        "MPharm",
        "Ljubljana",
        "Slovenia",
        5,
        0.6,
        {"Pharmaceuticals": 6, "Healthcare": 2, "Chemicals": 1},
        {"research": 5, "sales": 1, "operations": 0.5},
        ("Pharmacology", "GMP", "Analytical chemistry"),
    ),
    _p(
        "Architecture",
        "Fakulteta za arhitekturo",
        "MArch",
        "Ljubljana",
        "Slovenia",
        5,
        0.4,
        {"Construction and real estate": 6, "Public administration": 0.5},
        {"architecture": 6, "management": 0.5},
        ("Architecture", "AutoCAD", "Urban planning"),
    ),
    _p(
        "Chemical Engineering",
        "Fakulteta za kemijo in kemijsko tehnologijo",
        "MSc",
        "Ljubljana",
        "Slovenia",
        2,
        0.5,
        {"Chemicals": 4, "Pharmaceuticals": 3, "Manufacturing": 1, "Energy": 1},
        {"research": 3, "engineering": 3, "operations": 1},
        ("Chemistry", "Analytical chemistry", "Process engineering"),
    ),
    _p(
        "Social Sciences",
        "Fakulteta za družbene vede",
        "BSc",
        "Ljubljana",
        "Slovenia",
        3,
        0.8,
        {
            "Public administration": 2,
            "International organisations": 1,
            "Internet": 1,
            "Retail": 0.5,
            "Telecommunications": 0.5,
            "Consulting": 0.7,
        },
        {"public": 3, "marketing": 2, "hr": 1, "consulting": 0.6},
        ("Public policy", "Communication", "Research"),
    ),
    _p(
        "Public Administration",
        "Fakulteta za upravo",
        "MSc",
        "Ljubljana",
        "Slovenia",
        2,
        0.4,
        {"Public administration": 6, "International organisations": 1},
        {"public": 5, "legal": 1, "finance": 0.5},
        ("Public administration", "Public procurement", "EU funds"),
    ),
    _p(
        "Economics and Business",
        "Ekonomsko-poslovna fakulteta",
        "BSc",
        "Maribor",
        "Slovenia",
        3,
        1.0,
        _BUSINESS_IND,
        _BUSINESS_FUN,
        _BIZ_SKILLS,
    ),
    _p(
        "Logistics",
        "Fakulteta za logistiko",
        "MSc",
        "Celje",
        "Slovenia",
        2,
        0.4,
        {"Logistics": 5, "Retail": 1, "Manufacturing": 1, "Automotive": 1},
        {"operations": 5, "sales": 1, "management": 0.5},
        ("Logistics", "Supply chain management", "SAP"),
    ),
    _p(
        "Management",
        "Fakulteta za management",
        "MSc",
        "Koper",
        "Slovenia",
        2,
        0.5,
        _MBA_IND,
        _MBA_FUN,
        ("Management", "Leadership", "Strategy"),
    ),
    _p(
        "Organisational Sciences",
        "Fakulteta za organizacijske vede",
        "MSc",
        "Kranj",
        "Slovenia",
        2,
        0.5,
        _BUSINESS_IND | {"Software": 1, "Manufacturing": 1.5},
        _BUSINESS_FUN | {"hr": 1.5, "software": 0.6},
        ("Information systems", "Human resources", "Project management"),
    ),
    _p(
        "MBA",
        "Alpska poslovna šola",
        "MBA",
        "Radovljica",
        "Slovenia",
        2,
        0.6,
        _MBA_IND,
        _MBA_FUN,
        _MBA_SKILLS,
        ("Hiking", "Skiing"),
    ),
    _p(
        "Executive MBA",
        "IEDC-Bled School of Management",
        "EMBA",
        "Bled",
        "Slovenia",
        2,
        0.4,
        _MBA_IND,
        _MBA_FUN | {"management": 6},
        _MBA_SKILLS + ("Change management",),
        ("Golf",),
    ),
    _p(
        "MBA Program",
        "Harvard Business School",
        "MBA",
        "Boston",
        "United States",
        2,
        1.2,
        _MBA_IND | {"Consulting": 3, "Banking": 2, "Internet": 1.5, "Fintech": 1},
        _MBA_FUN | {"consulting": 3},
        _MBA_SKILLS + ("Venture capital",),
        ("Venture capital",),
    ),
    _p("Executive MBA (WU)", "WU Wien", "EMBA", "Vienna", "Austria", 2, 0.4, _MBA_IND, _MBA_FUN, _MBA_SKILLS),
    _p(
        "International Management",
        "Università Bocconi",
        "MSc",
        "Milan",
        "Italy",
        2,
        0.5,
        _BUSINESS_IND,
        _BUSINESS_FUN,
        _BIZ_SKILLS + ("Italian",),
    ),
    _p(
        "Informatics",
        "TUM School of Computation, Information and Technology",
        "MSc",
        "Munich",
        "Germany",
        2,
        0.6,
        _TECH_IND | {"Automotive": 1},
        _TECH_FUN,
        ("Python", "C++", "Algorithms", "German"),
    ),
    _p(
        "Business Economics",
        "Ekonomski fakultet Zagreb",
        "BSc",
        "Zagreb",
        "Croatia",
        3,
        0.6,
        _BUSINESS_IND,
        _BUSINESS_FUN,
        _BIZ_SKILLS + ("Croatian",),
    ),
    _p(
        "Finance and Economics",
        "London School of Economics and Political Science",
        "MSc",
        "London",
        "United Kingdom",
        1,
        0.5,
        {"Banking": 4, "Consulting": 2, "International organisations": 1, "Fintech": 1},
        {"finance": 4, "banking": 3, "consulting": 1.5, "data": 0.5},
        ("Econometrics", "Corporate finance", "Valuation"),
    ),
    _p(
        "Mechanical Engineering (ETH)",
        "ETH Zürich",
        "MSc",
        "Zurich",
        "Switzerland",
        2,
        0.4,
        _ENG_IND | {"Aviation": 2},
        _ENG_FUN | {"research": 1},
        ("Mechanical design", "FEM analysis", "Robotics"),
    ),
)

# --- employers ---------------------------------------------------------------------------

# name, industry, city, country, weight (rough size), aliases
_EMPLOYERS: tuple[tuple[str, str, str, str, float, str], ...] = (
    ("Krka", "Pharmaceuticals", "Novo mesto", "Slovenia", 8, "Krka, d. d., Novo mesto;KRKA d.d."),
    ("Lek", "Pharmaceuticals", "Ljubljana", "Slovenia", 7, "Lek d.d.;Lek farmacevtska družba d.d."),
    ("NLB", "Banking", "Ljubljana", "Slovenia", 8, "NLB d.d.;Nova Ljubljanska banka"),
    ("Nova KBM", "Banking", "Maribor", "Slovenia", 4, "Nova KBM d.d.;Nova Kreditna banka Maribor"),
    ("SKB banka", "Banking", "Ljubljana", "Slovenia", 3, "SKB banka d.d."),
    ("Abanka", "Banking", "Ljubljana", "Slovenia", 2, "Abanka d.d."),
    ("UniCredit Banka Slovenija", "Banking", "Ljubljana", "Slovenia", 2, "UniCredit Banka Slovenija d.d."),
    ("Banka Slovenije", "Banking", "Ljubljana", "Slovenia", 2, "Bank of Slovenia"),
    ("Petrol", "Energy", "Ljubljana", "Slovenia", 5, "Petrol d.d., Ljubljana;PETROL d.d."),
    ("Holding Slovenske elektrarne", "Energy", "Ljubljana", "Slovenia", 3, "HSE d.o.o.;HSE"),
    ("GEN energija", "Energy", "Krško", "Slovenia", 2, "GEN energija d.o.o."),
    ("ELES", "Energy", "Ljubljana", "Slovenia", 1.5, "ELES d.o.o."),
    ("Gorenje", "Manufacturing", "Velenje", "Slovenia", 6, "Gorenje d.o.o.;Gorenje gospodinjski aparati"),
    ("Kolektor", "Manufacturing", "Idrija", "Slovenia", 3, "Kolektor Group d.o.o."),
    ("Hidria", "Automotive", "Spodnja Idrija", "Slovenia", 3, "Hidria d.o.o."),
    ("Revoz", "Automotive", "Novo mesto", "Slovenia", 3, "Revoz d.d."),
    ("Akrapovič", "Automotive", "Ivančna Gorica", "Slovenia", 2, "Akrapovič d.d.;Akrapovic"),
    ("Cimos", "Automotive", "Koper", "Slovenia", 1.5, "Cimos d.d."),
    ("Impol", "Manufacturing", "Slovenska Bistrica", "Slovenia", 2, "Impol d.o.o."),
    ("Knauf Insulation", "Manufacturing", "Škofja Loka", "Slovenia", 1.5, "Knauf Insulation d.o.o."),
    ("Telekom Slovenije", "Telecommunications", "Ljubljana", "Slovenia", 6, "Telekom Slovenije, d.d."),
    ("A1 Slovenija", "Telecommunications", "Ljubljana", "Slovenia", 2, "A1 Slovenija d.d."),
    ("Iskratel", "Electronics", "Kranj", "Slovenia", 2, "Iskratel d.o.o."),
    ("Iskraemeco", "Electronics", "Kranj", "Slovenia", 1.5, "Iskraemeco d.o.o."),
    ("Fotona", "Electronics", "Ljubljana", "Slovenia", 1, "Fotona d.o.o."),
    ("Mercator", "Retail", "Ljubljana", "Slovenia", 6, "Poslovni sistem Mercator d.d.;Mercator d.d."),
    ("Spar Slovenija", "Retail", "Ljubljana", "Slovenia", 2, "Spar Slovenija d.o.o."),
    ("Engrotuš", "Retail", "Celje", "Slovenia", 1.5, "Engrotuš d.o.o.;Tuš"),
    ("BTC", "Construction and real estate", "Ljubljana", "Slovenia", 1.5, "BTC d.d."),
    ("Zavarovalnica Triglav", "Insurance", "Ljubljana", "Slovenia", 6, "Zavarovalnica Triglav, d.d.;Triglav"),
    ("Sava Re", "Insurance", "Ljubljana", "Slovenia", 2, "Sava Re d.d.;SAVA"),
    ("Generali zavarovalnica", "Insurance", "Ljubljana", "Slovenia", 2, "Generali zavarovalnica d.d."),
    ("Aeroalpe", "Aviation", "Brnik", "Slovenia", 2, "Aeroalpe d.d.;Aeroalpe Airlines"),
    ("Pipistrel", "Aviation", "Ajdovščina", "Slovenia", 1.5, "Pipistrel d.o.o."),
    ("Luka Koper", "Logistics", "Koper", "Slovenia", 3, "Luka Koper d.d.;Port of Koper"),
    ("Pošta Slovenije", "Logistics", "Maribor", "Slovenia", 2, "Pošta Slovenije d.o.o."),
    ("Slovenske železnice", "Logistics", "Ljubljana", "Slovenia", 2, "Slovenske železnice d.o.o.;SŽ"),
    ("Intereuropa", "Logistics", "Koper", "Slovenia", 1, "Intereuropa d.d."),
    ("Outfit7", "Gaming", "Ljubljana", "Slovenia", 2, "Outfit7 Limited;Outfit7 d.o.o."),
    ("Bitstamp", "Fintech", "Ljubljana", "Slovenia", 1.5, "Bitstamp Ltd."),
    ("Celtra", "Software", "Ljubljana", "Slovenia", 1.5, "Celtra d.o.o."),
    ("Databox", "Software", "Ljubljana", "Slovenia", 1, "Databox d.o.o."),
    ("Comtrade", "Software", "Ljubljana", "Slovenia", 2, "Comtrade d.o.o."),
    ("Cosylab", "Software", "Ljubljana", "Slovenia", 1, "Cosylab d.d."),
    ("Chipolo", "Electronics", "Ljubljana", "Slovenia", 0.7, "Chipolo d.o.o."),
    ("Zemanta", "Internet", "Ljubljana", "Slovenia", 0.6, "Zemanta d.o.o."),
    ("Marand", "Software", "Ljubljana", "Slovenia", 1, "Marand d.o.o."),
    ("Elan", "Sporting goods", "Begunje na Gorenjskem", "Slovenia", 1.5, "Elan d.o.o."),
    ("Alpina", "Sporting goods", "Žiri", "Slovenia", 1, "Alpina d.o.o."),
    ("Pivovarna Laško Union", "Food and beverage", "Laško", "Slovenia", 2, "Pivovarna Laško Union d.o.o."),
    ("Droga Kolinska", "Food and beverage", "Ljubljana", "Slovenia", 2, "Droga Kolinska d.d."),
    ("Perutnina Ptuj", "Food and beverage", "Ptuj", "Slovenia", 1.5, "Perutnina Ptuj d.d."),
    ("Radenska", "Food and beverage", "Radenci", "Slovenia", 1, "Radenska d.o.o."),
    ("Cinkarna Celje", "Chemicals", "Celje", "Slovenia", 1.5, "Cinkarna Celje d.d."),
    ("Helios", "Chemicals", "Domžale", "Slovenia", 1, "Helios TBLUS d.o.o."),
    ("Univerzitetni klinični center Ljubljana", "Healthcare", "Ljubljana", "Slovenia", 6, "UKC Ljubljana"),
    ("Univerzitetni klinični center Maribor", "Healthcare", "Maribor", "Slovenia", 3, "UKC Maribor"),
    ("Splošna bolnišnica Celje", "Healthcare", "Celje", "Slovenia", 1.5, "SB Celje"),
    ("Zdravstveni dom Ljubljana", "Healthcare", "Ljubljana", "Slovenia", 2, "ZD Ljubljana"),
    ("Ministrstvo za finance", "Public administration", "Ljubljana", "Slovenia", 2, "Ministry of Finance"),
    (
        "Ministrstvo za gospodarstvo",
        "Public administration",
        "Ljubljana",
        "Slovenia",
        1.5,
        "Ministry of the Economy",
    ),
    ("Mestna občina Ljubljana", "Public administration", "Ljubljana", "Slovenia", 1.5, "MOL"),
    (
        "Šelih & partnerji",
        "Legal services",
        "Ljubljana",
        "Slovenia",
        1,
        "Odvetniška družba Šelih & partnerji",
    ),
    ("Jadek & Pensa", "Legal services", "Ljubljana", "Slovenia", 1, "Odvetniška družba Jadek & Pensa"),
    ("Deloitte", "Professional services", "Ljubljana", "Slovenia", 3, "Deloitte d.o.o.;Deloitte Slovenija"),
    ("PwC", "Professional services", "Ljubljana", "Slovenia", 3, "PricewaterhouseCoopers d.o.o."),
    ("EY", "Professional services", "Ljubljana", "Slovenia", 3, "Ernst & Young d.o.o."),
    ("KPMG", "Professional services", "Ljubljana", "Slovenia", 3, "KPMG Slovenija d.o.o."),
    ("McKinsey & Company", "Consulting", "Vienna", "Austria", 2, "McKinsey"),
    ("Boston Consulting Group", "Consulting", "Munich", "Germany", 1.5, "BCG"),
    ("Accenture", "Consulting", "Dublin", "Ireland", 2, "Accenture plc"),
    ("Google", "Internet", "Zurich", "Switzerland", 3, "Google LLC;Alphabet"),
    ("Microsoft", "Software", "Redmond", "United States", 3, "Microsoft Corporation"),
    ("Amazon", "Internet", "Seattle", "United States", 2, "Amazon.com, Inc."),
    ("SAP", "Software", "Walldorf", "Germany", 2, "SAP SE"),
    ("Booking.com", "Internet", "Amsterdam", "Netherlands", 1, "Booking.com B.V."),
    ("Spotify", "Internet", "Stockholm", "Sweden", 0.7, "Spotify AB"),
    ("Infobip", "Software", "Zagreb", "Croatia", 1.5, "Infobip d.o.o."),
    ("Rimac Automobili", "Automotive", "Sveta Nedelja", "Croatia", 1, "Rimac Group"),
    ("Stripe", "Fintech", "Dublin", "Ireland", 0.7, "Stripe, Inc."),
    ("Revolut", "Fintech", "London", "United Kingdom", 1, "Revolut Ltd"),
    ("Siemens", "Electronics", "Munich", "Germany", 3, "Siemens AG"),
    ("Bosch", "Automotive", "Stuttgart", "Germany", 2, "Robert Bosch GmbH"),
    ("BMW Group", "Automotive", "Munich", "Germany", 2, "BMW AG;Bayerische Motoren Werke"),
    ("AVL List", "Automotive", "Graz", "Austria", 2, "AVL List GmbH;AVL"),
    ("Magna Steyr", "Automotive", "Graz", "Austria", 1.5, "Magna Steyr AG & Co KG"),
    ("Infineon Technologies", "Electronics", "Villach", "Austria", 1.5, "Infineon Technologies Austria AG"),
    ("Red Bull", "Food and beverage", "Fuschl am See", "Austria", 1, "Red Bull GmbH"),
    ("OMV", "Energy", "Vienna", "Austria", 1.5, "OMV AG"),
    ("Erste Group", "Banking", "Vienna", "Austria", 2, "Erste Group Bank AG"),
    (
        "Raiffeisen Bank International",
        "Banking",
        "Vienna",
        "Austria",
        2,
        "RBI;Raiffeisen Bank International AG",
    ),
    ("Intesa Sanpaolo", "Banking", "Milan", "Italy", 1.5, "Intesa Sanpaolo S.p.A."),
    ("Goldman Sachs", "Banking", "London", "United Kingdom", 1.5, "Goldman Sachs International"),
    ("J.P. Morgan", "Banking", "London", "United Kingdom", 1.5, "JPMorgan Chase & Co."),
    ("Novartis", "Pharmaceuticals", "Basel", "Switzerland", 3, "Novartis AG"),
    ("Roche", "Pharmaceuticals", "Basel", "Switzerland", 2, "F. Hoffmann-La Roche AG"),
    ("Sandoz", "Pharmaceuticals", "Holzkirchen", "Germany", 1.5, "Sandoz GmbH"),
    ("Pliva", "Pharmaceuticals", "Zagreb", "Croatia", 1, "Pliva Hrvatska d.o.o."),
    ("Atlantic Grupa", "Food and beverage", "Zagreb", "Croatia", 1.5, "Atlantic Grupa d.d."),
    ("Podravka", "Food and beverage", "Koprivnica", "Croatia", 1, "Podravka d.d."),
    ("Nestlé", "Food and beverage", "Vevey", "Switzerland", 1.5, "Nestlé S.A.;Nestle"),
    (
        "Procter & Gamble",
        "Food and beverage",
        "Geneva",
        "Switzerland",
        1.5,
        "P&G;The Procter & Gamble Company",
    ),
    ("Unilever", "Food and beverage", "London", "United Kingdom", 1.5, "Unilever PLC"),
    ("Airbus", "Aviation", "Toulouse", "France", 1.5, "Airbus SE"),
    ("Lufthansa", "Aviation", "Frankfurt", "Germany", 1, "Deutsche Lufthansa AG"),
    ("DHL", "Logistics", "Bonn", "Germany", 1.5, "DHL Group;Deutsche Post DHL"),
    ("European Commission", "International organisations", "Brussels", "Belgium", 2, "EC"),
    ("European Central Bank", "International organisations", "Frankfurt", "Germany", 1, "ECB"),
    ("OECD", "International organisations", "Paris", "France", 0.8, "Organisation for Economic Co-operation"),
    ("World Bank", "International organisations", "Washington", "United States", 0.8, "World Bank Group"),
    ("CMS Reich-Rohrwig Hainz", "Legal services", "Vienna", "Austria", 1, "CMS"),
    ("Schoenherr", "Legal services", "Vienna", "Austria", 1, "Schoenherr Attorneys at Law"),
    ("Massachusetts General Hospital", "Healthcare", "Boston", "United States", 1, "MGH"),
    ("Allgemeines Krankenhaus Wien", "Healthcare", "Vienna", "Austria", 1, "AKH Wien"),
    ("Skanska", "Construction and real estate", "Stockholm", "Sweden", 1, "Skanska AB"),
    ("Strabag", "Construction and real estate", "Vienna", "Austria", 1.5, "Strabag SE"),
    ("Ericsson Nikola Tesla", "Telecommunications", "Zagreb", "Croatia", 1, "Ericsson Nikola Tesla d.d."),
    ("Deutsche Telekom", "Telecommunications", "Bonn", "Germany", 1.5, "Deutsche Telekom AG"),
    ("BASF", "Chemicals", "Ludwigshafen", "Germany", 1.5, "BASF SE"),
)

# Parts of the names of small employers made up to fill the long tail.
_STEMS = (
    "Alpe",
    "Sora",
    "Lipa",
    "Bistra",
    "Vrba",
    "Kras",
    "Pohorje",
    "Soča",
    "Krpan",
    "Lovor",
    "Javor",
    "Orel",
    "Zarja",
    "Iskra",
    "Obzorje",
    "Jadran",
    "Planika",
    "Bor",
    "Slavček",
    "Ris",
    "Modra",
    "Zelena",
    "Polet",
    "Gorjanci",
    "Dravinja",
    "Storžič",
    "Snežnik",
    "Kamnik",
    "Rog",
    "Mura",
    "Nanos",
    "Vipava",
    "Savinja",
    "Krka Valley",
    "Triglavski",
    "Cerkno",
    "Velika",
    "Novi",
    "Sinji",
    "Danube",
    "Adriatic",
    "Karavanke",
    "Pannonia",
    "Istra",
    "Julian",
)
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "Software": ("Software", "Labs", "Digital", "Systems", "Code"),
    "Internet": ("Web", "Online", "Media", "Apps"),
    "Consulting": ("Consulting", "Svetovanje", "Advisory", "Partners"),
    "Professional services": ("Revizija", "Računovodstvo", "Tax Advisors"),
    "Manufacturing": ("Inženiring", "Industries", "Tools", "Metal", "Plast"),
    "Electronics": ("Elektronika", "Sensors", "Electronics"),
    "Retail": ("Trade", "Trgovina", "Market"),
    "Logistics": ("Logistika", "Transport", "Cargo"),
    "Food and beverage": ("Foods", "Vino", "Pekarna", "Dairy"),
    "Fintech": ("Pay", "Finance", "Capital"),
    "Healthcare": ("Medical", "Klinika", "Zdravje"),
    "Construction and real estate": ("Gradnje", "Projekt", "Nepremičnine", "Arhitekti"),
    "Legal services": ("Law", "Odvetniki"),
    "Energy": ("Energija", "Solar", "Power"),
}
_LEGAL_FORMS_SI = ("d.o.o.", "d. o. o.", "D.O.O.")
_LEGAL_FORMS_INTL = {
    "Austria": "GmbH",
    "Germany": "GmbH",
    "Switzerland": "AG",
    "United Kingdom": "Ltd",
    "Ireland": "Ltd",
    "United States": "Inc.",
    "Italy": "S.p.A.",
    "Croatia": "d.o.o.",
    "Netherlands": "B.V.",
    "Sweden": "AB",
    "France": "SA",
    "Belgium": "SA",
}


def _legal_form(name: str, aliases: tuple[str, ...]) -> str | None:
    """The legal form an alias gives the employer ("d.d." from "Krka d.d."), if any alias does."""
    key = employer_key(name)
    forms = []
    for alias in aliases:
        if alias.casefold().startswith(name.casefold()) and employer_key(alias) == key:
            form = alias[len(name) :].strip(" ,")
            if form and "," not in form:
                forms.append(form)
    return min(forms, key=len) if forms else None


def _variants(name: str, city: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    """Legal-form spellings of ``name`` that a loader must recognise as this employer.

    Only the employer's own legal form is used (a d.d. stays a d.d., a ministry gets
    none), written the ways people write it; every variant has the employer's
    :func:`employer_key`, so name matching in the loaders is exercised, not fooled.
    """
    key = employer_key(name)
    form = _legal_form(name, aliases)
    candidates = list(aliases)
    if form is not None:
        candidates += [f"{name} {form}", f"{name.upper()} {form}", f"{name}, {form}"]
        spaced = {"d.d.": "d. d.", "d.o.o.": "d. o. o."}.get(form.replace(" ", "").lower())
        if spaced:
            candidates += [f"{name}, {spaced}", f"{name}, {spaced}, {city}"]
    seen: list[str] = []
    for variant in candidates:
        if variant != name and variant not in seen and employer_key(variant) == key:
            seen.append(variant)
    return tuple(seen)


def faculty_employers() -> list[tuple[str, str, str]]:
    """(faculty, city, country) of every faculty in the catalog, in catalogue order."""
    out: list[tuple[str, str, str]] = []
    for prog in PROGRAMMES:
        entry = (prog.faculty, prog.city, prog.country)
        if entry not in out:
            out.append(entry)
    return out


#: Share of jobs at the made-up small firms (the long tail of a real club's employers).
SMALL_FIRM_SHARE = 0.3


def build_employers(extra: int, rng_pick: random.Random) -> list[Employer]:
    """All employers: the catalogue, one per faculty, and ``extra`` made-up small firms.

    Ids are assigned in this order, so they are stable for a given ``extra`` and seed.
    """
    rows: list[tuple[str, str, str, str, float, tuple[str, ...]]] = []
    for name, industry, city, country, weight, alias_text in _EMPLOYERS:
        rows.append((name, industry, city, country, weight, tuple(a for a in alias_text.split(";") if a)))
    for faculty, city, country in faculty_employers():
        rows.append((faculty, "Higher education", city, country, 1.0, ()))
    taken = {employer_key(r[0]) for r in rows}
    for r in rows:
        taken.update(employer_key(a) for a in r[5])
    industries = sorted(_SUFFIXES)
    si_cities = [c for c, _ in SLOVENIAN_CITIES]
    si_weights = [w for _, w in SLOVENIAN_CITIES]
    made = 0
    attempts = 0
    while made < extra and attempts < extra * 20:
        attempts += 1
        industry = rng_pick.choice(industries)
        stem = rng_pick.choice(_STEMS)
        name = f"{stem} {rng_pick.choice(_SUFFIXES[industry])}"
        if attempts > extra * 3:  # the plain combinations run out at the largest tiers
            name = f"{name} {rng_pick.choice(_SURNAMES_FOR_FIRMS)}"
        key = employer_key(name)
        if key in taken:
            continue
        taken.add(key)
        if rng_pick.random() < 0.85:
            city, country = rng_pick.choices(si_cities, si_weights)[0], "Slovenia"
            alias = f"{name} {rng_pick.choice(_LEGAL_FORMS_SI)}"
        else:
            city, country = rng_pick.choice(ABROAD_CITIES)
            alias = f"{name} {_LEGAL_FORMS_INTL.get(country, 'Ltd')}"
        rows.append((name, industry, city, country, rng_pick.paretovariate(1.5) * 0.08, (alias,)))
        made += 1
    # small firms together employ a fixed share of people at every size of club, however many there are
    catalogue = sum(r[4] for r in rows[: len(rows) - made])
    small = sum(r[4] for r in rows[len(rows) - made :])
    if small > 0:
        scale = SMALL_FIRM_SHARE / (1 - SMALL_FIRM_SHARE) * catalogue / small
        rows[len(rows) - made :] = [(*r[:4], r[4] * scale, r[5]) for r in rows[len(rows) - made :]]
    width = max(4, len(str(len(rows))))
    employers = []
    for i, (name, industry, city, country, weight, aliases) in enumerate(rows, start=1):
        employers.append(
            Employer(
                f"E{i:0{width}d}",
                name,
                industry,
                city,
                country,
                aliases,
                weight,
                _variants(name, city, aliases),
            )
        )
    return employers


_SURNAMES_FOR_FIRMS = (
    "& Kovač",
    "& Novak",
    "& Zupan",
    "Group",
    "Plus",
    "Pro",
    "Nova",
    "Team",
    "Hub",
    "One",
    "& Partners",
    "International",
    "Solutions",
    "Studio",
    "Lab",
    "Center",
    "Link",
    "Net",
    "Max",
    "Prime",
)

# --- places ------------------------------------------------------------------------------

SLOVENIAN_CITIES: tuple[tuple[str, float], ...] = (
    ("Ljubljana", 40),
    ("Maribor", 10),
    ("Kranj", 5),
    ("Koper", 4),
    ("Celje", 4),
    ("Novo mesto", 3),
    ("Nova Gorica", 2),
    ("Radovljica", 2),
    ("Velenje", 2),
    ("Ptuj", 2),
    ("Murska Sobota", 2),
    ("Domžale", 2),
    ("Kamnik", 1.2),
    ("Škofja Loka", 1.2),
    ("Izola", 0.8),
    ("Piran", 0.6),
    ("Bled", 0.8),
    ("Jesenice", 0.8),
    ("Trbovlje", 0.6),
    ("Krško", 0.8),
    ("Slovenj Gradec", 0.6),
    ("Ajdovščina", 0.6),
    ("Idrija", 0.5),
    ("Postojna", 0.6),
)

#: Where Slovenians abroad live (and where the foreign employers sit), with the country.
ABROAD_CITIES: tuple[tuple[str, str], ...] = (
    ("Vienna", "Austria"),
    ("Munich", "Germany"),
    ("London", "United Kingdom"),
    ("Zurich", "Switzerland"),
    ("Brussels", "Belgium"),
    ("Berlin", "Germany"),
    ("Amsterdam", "Netherlands"),
    ("New York", "United States"),
    ("San Francisco", "United States"),
    ("Zagreb", "Croatia"),
    ("Luxembourg", "Luxembourg"),
    ("Dublin", "Ireland"),
    ("Graz", "Austria"),
    ("Milan", "Italy"),
)

INTERESTS: tuple[str, ...] = (
    "Hiking",
    "Skiing",
    "Cycling",
    "Running",
    "Climbing",
    "Sailing",
    "Wine",
    "Jazz",
    "Classical music",
    "Photography",
    "Cooking",
    "Chess",
    "Volunteering",
    "Mentoring",
    "Startups",
    "Venture capital",
    "Investing",
    "Sustainability",
    "Fintech",
    "AI ethics",
    "Entrepreneurship",
    "Public speaking",
    "Tennis",
    "Football",
    "Basketball",
    "Golf",
    "Travel",
    "Literature",
    "Theatre",
    "Film",
    "Yoga",
    "Gardening",
    "Beekeeping",
    "Open source",
    "Blockchain",
    "Healthcare innovation",
    "Urban planning",
    "Languages",
    "History",
    "Design",
    "Board games",
    "Mountaineering",
)

#: Interests that go with a job function, so that talks and suggestions find like minds.
FUNCTION_INTERESTS: dict[str, tuple[str, ...]] = {
    "software": ("Open source", "Startups", "AI ethics", "Board games"),
    "data": ("AI ethics", "Open source", "Chess"),
    "finance": ("Investing", "Fintech", "Golf"),
    "banking": ("Investing", "Fintech", "Golf"),
    "consulting": ("Entrepreneurship", "Public speaking", "Travel"),
    "management": ("Entrepreneurship", "Mentoring", "Golf", "Sailing"),
    "marketing": ("Design", "Photography", "Film"),
    "medicine": ("Healthcare innovation", "Running", "Volunteering"),
    "legal": ("History", "Literature", "Theatre"),
    "engineering": ("Cycling", "Mountaineering", "Sustainability"),
    "architecture": ("Urban planning", "Design", "Photography"),
    "public": ("Volunteering", "Languages", "History"),
}

TALK_TOPICS: tuple[str, ...] = (
    "The future of banking",
    "AI in practice",
    "Building a start-up in Slovenia",
    "Careers abroad",
    "Leadership in crisis",
    "Sustainable finance",
    "From engineer to manager",
    "Data-driven marketing",
    "Scaling a software company",
    "Women in leadership",
    "Negotiation masterclass",
    "Pharma R&D today",
    "Digital transformation",
    "Investing for beginners",
    "The EU and Slovenian business",
    "Mentoring that works",
    "Hiring your first team",
    "Law and technology",
)
