"""Career destinations: where each programme's graduates work, and how that changed.

Only members who share their employer (``share_employer``) are counted: an aggregate is
still built from each person's data, and a member who keeps their employer to themselves
should not be in it. A member's destination is their current position (the latest
started one when they hold several); a member without a current one counts with their
last. Flows are programme → industry; over time, the employers where each programme's
members held a position in each decade.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from graph.algorithms.report.frame import ReportFrame
from graph.algorithms.report.privacy import MIN_GROUP, count, share

OTHER = "other"


def current_employers(frame: ReportFrame) -> dict[int, tuple[int, int]]:
    """Local member → (employer code, industry code or -1) of their destination, for the
    members who share their employer and have a position."""
    p = frame.p
    industry = p.employer_industry
    positions = p.positions
    found: dict[int, tuple[int, int]] = {}
    shares = frame.shares_employer
    for i, m in enumerate(frame.members.tolist()):
        held = positions[m]
        if not held or not shares[i]:
            continue
        # current first (end 0), then the latest end; among equals the latest start
        best = max(held, key=lambda pos: (pos.end == 0, pos.end, pos.start))
        code = best.employer
        found[i] = (code, industry[code] if code < len(industry) else -1)
    return found


def _programs(frame: ReportFrame, limit: int) -> list[int]:
    """The ``limit`` largest programmes with at least 5 members, largest first."""
    has = frame.program[frame.program >= 0]
    sizes = np.bincount(has) if len(has) else np.zeros(0, dtype=np.int64)
    order = np.argsort(-sizes, kind="stable")
    return [int(c) for c in order[:limit] if sizes[c] >= MIN_GROUP]


def industry_flows(frame: ReportFrame, *, programs: int = 8, industries: int = 8) -> dict[str, Any]:
    """Programme → industry of the destination, as counts and shares per programme.

    The ``industries`` most common industries are shown by name; the rest, and every
    programme–industry cell of fewer than 5 members, are pooled into "other".

    >>> from tests.support.report_example import example_frame
    >>> flows = industry_flows(example_frame())
    >>> [(f["program"], f["industries"][0]) for f in flows["flows"]]
    [('MBA', {'industry': 'Banking', 'members': 5, 'share': 1.0})]
    """
    p = frame.p
    destinations = current_employers(frame)
    chosen = _programs(frame, programs)
    per_program: dict[int, Counter[int]] = {c: Counter() for c in chosen}
    for i, (_, industry) in destinations.items():
        program = int(frame.program[i])
        if program in per_program:
            per_program[program][industry] += 1
    overall: Counter[int] = Counter()
    for counter in per_program.values():
        overall.update(counter)
    named = [k for k, _ in overall.most_common() if k >= 0][:industries]
    flows = []
    for program in chosen:
        counter = per_program[program]
        total = sum(counter.values())
        if total < MIN_GROUP:
            continue
        cells, other = [], 0
        for industry in named:
            n = counter.get(industry, 0)
            if n >= MIN_GROUP:
                cells.append(
                    {"industry": p.industries.names[industry], "members": n, "share": share(n, total)}
                )
            else:
                other += n
        other += sum(n for k, n in counter.items() if k not in named)
        if other:
            cells.append({"industry": OTHER, "members": count(other), "share": share(other, total)})
        flows.append({"program": frame.program_name(program), "members": total, "industries": cells})
    return {"industries": [p.industries.names[k] for k in named], "flows": flows}


def employers_over_time(
    frame: ReportFrame, *, programs: int = 6, top: int = 3, decades: int = 4
) -> dict[str, Any]:
    """The ``top`` employers of each programme's members in each of the last ``decades``
    decades: a member counts for every employer where they held a position that overlaps
    the decade. Employers with fewer than 5 such members are not named.

    >>> from tests.support.report_example import example_frame
    >>> over = employers_over_time(example_frame())
    >>> over["programs"][0]["decades"][-1]
    {'decade': 2020, 'employers': [{'employer': 'Nova Banka', 'members': 5}]}
    """
    p = frame.p
    now = p.reference_year
    last = now - now % 10
    spans = [last - 10 * k for k in range(decades - 1, -1, -1)]
    chosen = _programs(frame, programs)
    tallies: dict[tuple[int, int], Counter[int]] = {}
    wanted = set(chosen)
    shares = frame.shares_employer
    for i, m in enumerate(frame.members.tolist()):
        program = int(frame.program[i])
        if program not in wanted or not shares[i]:
            continue
        held: dict[int, set[int]] = {}
        for pos in p.positions[m]:
            if not pos.start:
                continue
            lo = max(pos.start - pos.start % 10, spans[0])
            hi = min(pos.end - pos.end % 10 if pos.end else last, last)
            for decade in range(lo, hi + 1, 10):
                held.setdefault(decade, set()).add(pos.employer)
        for decade, seen in held.items():
            tallies.setdefault((program, decade), Counter()).update(seen)
    rows = []
    for program in chosen:
        per_decade = []
        for decade in spans:
            counter = tallies.get((program, decade), Counter())
            named = [
                {"employer": p.employers.vocab.names[e], "members": n}
                for e, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
                if n >= MIN_GROUP
            ][:top]
            per_decade.append({"decade": decade, "employers": named})
        rows.append({"program": frame.program_name(program), "decades": per_decade})
    return {"decades": spans, "programs": rows}
