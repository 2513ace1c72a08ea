"""The report as one self-contained HTML page: inline CSS, inline SVG charts, and a table
with the numbers behind every chart — it opens offline and prints as it shows.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from graph.algorithms.report.privacy import SUPPRESSED
from service.reports import charts

_env = Environment(
    loader=PackageLoader("service.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _num(value: Any) -> str:
    """A count or rate as the page shows it; suppressed and missing values in words."""
    if value is None:
        return "—"
    if value == SUPPRESSED:
        return SUPPRESSED
    if isinstance(value, float):
        return charts.fmt_number(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else charts.fmt_percent(value)


_env.filters["num"] = _num
_env.filters["pct"] = _pct


def _growth_chart(report: dict[str, Any]) -> Markup:
    g = report["growth"]
    series = [
        ("members", [(r["year"], r["total"]) for r in g["members_by_year"]]),
        ("ties", [(r["year"], r["total"]) for r in g["ties_by_year"]]),
    ]
    return charts.line_chart(
        series,
        title="Members and ties over the years",
        desc="Cumulative members (by first cohort year) and ties (by the year they began) for each year.",
        x_label="year",
        y_label="total",
    )


def _degree_chart(report: dict[str, Any]) -> Markup:
    bins = [b for b in report["degrees"]["bins"] if isinstance(b["members"], int)]
    points = [((b["low"] * b["high"]) ** 0.5, b["members"]) for b in bins]
    return charts.line_chart(
        [("members", points)],
        title="Degree distribution (log–log)",
        desc="Members by number of ties, in bins that double in width; both axes "
        "logarithmic. Bins of fewer than 5 members are not drawn.",
        x_label="ties per member (bin centre)",
        y_label="members",
        log_x=True,
        log_y=True,
        points_only=True,
    )


def _isolation_chart(report: dict[str, Any]) -> Markup:
    rows = report["components"]["by_cohort_year"]
    series = [
        ("isolated", [(r["year"], r["isolated_share"]) for r in rows if r["isolated_share"] is not None]),
        (
            "weakly tied",
            [(r["year"], r["weakly_tied_share"]) for r in rows if r["weakly_tied_share"] is not None],
        ),
    ]
    return charts.line_chart(
        series,
        title="Isolated and weakly tied members by cohort year",
        desc="Share of each cohort year's members with no tie, and with only one or two ties.",
        x_label="cohort year",
        y_label="share of members",
        y_format=charts.fmt_percent,
    )


def _community_chart(report: dict[str, Any]) -> Markup:
    rows = [(community_label(c), c["members"]) for c in report["communities"]["communities"]]
    return charts.bar_chart(
        rows,
        title="Largest communities",
        desc="Members in each of the largest Louvain communities, labelled by the "
        "programme, cohort years, employer and city that dominate it.",
        value_label="members",
        label_width=300,
    )


def community_label(c: dict[str, Any]) -> str:
    parts = [
        c["program"]["name"] if c["program"] else None,
        c["cohort_years"],
        c["employer"]["name"] if c["employer"] else None,
        c["city"]["name"] if c["city"] else None,
    ]
    return " · ".join(p for p in parts if p) or "mixed"


def _shares_by_program(
    rows: list[dict[str, Any]], key: str, *, title: str, desc: str, value_label: str
) -> Markup:
    """A bar per programme of ``rows``, as long as its share ``key``."""
    return charts.bar_chart(
        [(r["program"], r[key]) for r in rows],
        title=title,
        desc=desc,
        value_label=value_label,
        fmt=charts.fmt_percent,
    )


def _connector_chart(report: dict[str, Any]) -> Markup:
    return _shares_by_program(
        report["connectors"]["top_pagerank_by_program"],
        "share",
        title="Where the top connectors come from",
        desc="Share of the top 1% of members by PageRank in each programme.",
        value_label="share of the top connectors",
    )


def _cohesion_chart(report: dict[str, Any]) -> Markup:
    by_program: dict[str, list[tuple[float, float]]] = {}
    for r in report["cohesion"]["cohorts"]:
        by_program.setdefault(r["program"], []).append((r["year"], r["density"]))
    biggest = report["cohesion"]["programs"]["programs"][:6]
    series = [(name, by_program[name]) for name in biggest if name in by_program]
    return charts.line_chart(
        series,
        title="Density of ties inside cohorts",
        desc="For each programme, the share of possible ties inside each cohort that exist, by cohort year.",
        x_label="cohort year",
        y_label="density",
        y_format=charts.fmt_number,
    )


def _program_heatmap(report: dict[str, Any]) -> Markup:
    d = report["cohesion"]["programs"]
    return charts.heatmap(
        d["programs"],
        d["matrix"],
        title="Tie density between programmes",
        desc="Each cell is the share of possible ties between two programmes that "
        "exist (inside the programme on the diagonal); darker is denser.",
    )


def _industry_chart(report: dict[str, Any]) -> Markup:
    flows = report["destinations"]["industries"]
    segments = [*flows["industries"], "other"]
    rows = []
    for f in flows["flows"]:
        shares = dict.fromkeys(segments, 0.0)
        for cell in f["industries"]:
            shares[cell["industry"]] = cell["share"] or 0.0
        rows.append((f["program"], [shares[s] for s in segments]))
    return charts.stacked_bars(
        rows,
        segments,
        title="Programme → industry",
        desc="For each programme, the share of its members (who share their "
        "employer) working in each industry now.",
    )


def _employer_charts(report: dict[str, Any]) -> list[tuple[str, Markup]]:
    """One small chart per programme: its top employers' members by decade."""
    out = []
    for program in report["destinations"]["employers"]["programs"][:4]:
        names: list[str] = []
        for d in program["decades"]:
            names += [e["employer"] for e in d["employers"] if e["employer"] not in names]
        if not names:
            continue
        series = [
            (name, [(d["decade"], _members_at(d["employers"], name)) for d in program["decades"]])
            for name in names[:6]
        ]
        out.append(
            (
                program["program"],
                charts.line_chart(
                    series,
                    title=f"{program['program']}: top employers by decade",
                    desc=f"Members of {program['program']} who held a position at each of its top employers "
                    "in each decade.",
                    x_label="decade",
                    y_label="members",
                    width=560,
                    height=260,
                ),
            )
        )
    return out


def _members_at(employers: list[dict[str, Any]], name: str) -> int:
    return next((e["members"] for e in employers if e["employer"] == name), 0)


def _mentoring_chart(report: dict[str, Any]) -> Markup:
    rows = [
        (r["mentees"] + " mentees", r["mentors"] if isinstance(r["mentors"], int) else None)
        for r in report["mentoring"]["load_distribution"]
    ]
    return charts.bar_chart(
        rows,
        title="Mentors' load",
        desc="Mentors by their number of mentees.",
        value_label="mentors",
        label_width=120,
    )


def _coverage_chart(report: dict[str, Any]) -> Markup:
    return _shares_by_program(
        report["mentoring"]["coverage_by_program"],
        "coverage",
        title="Students with a mentor, by programme",
        desc="Share of each programme's students who have at least one mentor.",
        value_label="share of students",
    )


def _events_chart(report: dict[str, Any]) -> Markup:
    rows = report["events"]["by_year"]
    series = [
        ("attendances", [(r["year"], r["attendances"]) for r in rows if isinstance(r["attendances"], int)]),
        ("ties that followed", [(r["year"], r["ties_following"]) for r in rows]),
    ]
    return charts.line_chart(
        series,
        title="Event attendance and the ties that followed",
        desc="Attendances at club events per year, and ties between attendees of "
        "the same event that began that year or the next.",
        x_label="year",
        y_label="count",
    )


def render_html(report: dict[str, Any], *, age_seconds: float | None = None, stale: bool = False) -> str:
    """The report as a complete HTML document."""
    template = _env.get_template("network_report.html.j2")
    context: dict[str, Any] = {
        "r": report,
        "meta": report["meta"],
        "age_seconds": age_seconds,
        "stale": stale,
        "suppressed_word": SUPPRESSED,
        "community_label": community_label,
    }
    if not report["meta"]["suppressed"]:
        context["charts"] = {
            "growth": _growth_chart(report),
            "degrees": _degree_chart(report),
            "isolation": _isolation_chart(report),
            "communities": _community_chart(report),
            "connectors": _connector_chart(report),
            "cohesion": _cohesion_chart(report),
            "programs": _program_heatmap(report),
            "industries": _industry_chart(report),
            "employers": _employer_charts(report),
            "mentoring": _mentoring_chart(report),
            "coverage": _coverage_chart(report),
            "events": _events_chart(report),
        }
    return template.render(**context)
