"""Events: who comes, and whether ties follow.

A tie *follows* an event when both ends attended it and the tie's ``since`` year is the
event's year or the next — the window in which a meeting at a reunion or a talk shows up
as a new connection. The count is computed for every event at once by joining the
attendance list with itself along the ties, in numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph.algorithms.report.frame import ReportFrame
from graph.algorithms.report.privacy import MIN_GROUP, count, ratio


def _attendance(frame: ReportFrame) -> tuple[np.ndarray, np.ndarray]:
    """(local member, event code) of every attendance in the selection."""
    events = frame.p.events.of_member
    lengths = np.fromiter((len(events[m]) for m in frame.members.tolist()), dtype=np.int64, count=frame.n)
    member = np.repeat(np.arange(frame.n), lengths)
    codes = [code for m in frame.members.tolist() for code in events[m]]
    return member, np.asarray(codes, dtype=np.int64)


def ties_after_events(frame: ReportFrame, n_events: int) -> np.ndarray:
    """For each event code, the ties between two of its attendees that began in the
    event's year or the next."""
    member, event = _attendance(frame)
    out = np.zeros(n_events, dtype=np.int64)
    if not len(member) or not frame.m:
        return out
    year = np.asarray(frame.p.event_year, dtype=np.int64)
    # every (tie, event attended by its first end), then keep those the other end attended
    order = np.argsort(member, kind="stable")
    member, event = member[order], event[order]
    starts = np.searchsorted(member, np.arange(frame.n))
    per_member = np.bincount(member, minlength=frame.n)
    dated = frame.since > 0
    src, dst, since = frame.src[dated], frame.dst[dated], frame.since[dated]
    reps = per_member[src]
    tie = np.repeat(np.arange(len(src)), reps)
    offset = np.arange(len(tie)) - np.repeat(np.cumsum(reps) - reps, reps)
    ev = event[starts[src[tie]] + offset]
    keys = np.unique(member * n_events + event)
    other = dst[tie] * n_events + ev
    pos = np.searchsorted(keys, other)
    attended = (pos < len(keys)) & (keys[np.minimum(pos, len(keys) - 1)] == other)
    lag = since[tie] - year[ev]
    follows = attended & (year[ev] > 0) & (lag >= 0) & (lag <= 1)
    np.add.at(out, ev[follows], 1)
    return out


def events(frame: ReportFrame, *, limit: int = 15) -> dict[str, Any]:
    """Attendance by year, and the largest events with the ties that followed them.

    Events with fewer than 5 attendees from the selection show neither their attendance
    nor their ties.

    >>> from tests.support.report_example import example_frame
    >>> e = events(example_frame())
    >>> [(r["event"], r["attendees"], r["ties_following"]) for r in e["largest"]]
    [('Reunion 2015', 6, 3)]
    """
    p = frame.p
    n_events = len(p.events.vocab)
    member, event = _attendance(frame)
    attendees = np.bincount(event, minlength=n_events) if n_events else np.zeros(0, dtype=np.int64)
    following = ties_after_events(frame, n_events)
    year = np.asarray(p.event_year, dtype=np.int64)

    rows = []
    for code in np.argsort(-attendees, kind="stable").tolist():
        n = int(attendees[code])
        if n < MIN_GROUP:
            break
        rows.append(
            {
                "event": p.events.vocab.names[code],
                "year": int(year[code]) or None,
                "attendees": n,
                "ties_following": int(following[code]),
                "ties_per_attendee": ratio(following[code] / n),
            }
        )
    by_year = []
    dated = year[event] > 0 if len(event) else np.zeros(0, dtype=bool)
    if dated.any():
        years, per_year = np.unique(year[event][dated], return_counts=True)
        held = np.unique(event[dated])
        events_per_year = dict(zip(*np.unique(year[held], return_counts=True), strict=True))
        ties_per_year = np.zeros_like(per_year)
        for code in held.tolist():
            ties_per_year[np.searchsorted(years, year[code])] += following[code]
        by_year = [
            {
                "year": int(y),
                "events": int(events_per_year[y]),
                "attendances": count(int(a)),
                "ties_following": int(t),
            }
            for y, a, t in zip(years.tolist(), per_year.tolist(), ties_per_year.tolist(), strict=True)
        ]
    attended = attendees[attendees > 0]
    return {
        "events": int(len(attended)),
        "attendances": int(attendees.sum()),
        "members_attending": count(int(len(np.unique(member)))),
        "median_attendance": ratio(np.median(attended)) if len(attended) else 0.0,
        "events_with_fewer_than_5": int(((attended > 0) & (attended < MIN_GROUP)).sum()),
        "ties_following_events": int(following.sum()),
        "by_year": by_year,
        "largest": rows[:limit],
        "events_listed": len(rows[:limit]),
    }
