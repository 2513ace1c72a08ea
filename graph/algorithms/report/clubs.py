"""Bridges between clubs: the members several clubs share and the ties that cross clubs.

A university runs many clubs, and they are held together by two kinds of bridge: people
who are members of several (the same person, one member with several memberships), and
ties between members of different clubs. Memberships count as they are on the day the
report is made (an ended one does not: :meth:`graph.projection.Projection.member_clubs`).

The ties counted are those with at least one end among the report's members, whatever
the other end: a club's report shows the ties that leave the club, to members its report
does not cover. For a club *A*, a tie *leaves* it when one end is a member of *A* and the
other is not; a tie links *A* to *B* when one end is a member of *A* and not of *B*, the
other of *B* and not of *A* (a tie to someone in both is no crossing: that person is the
bridge, counted among the shared members). For the university, a tie *crosses clubs*
when its two ends, each a member of some club, share none.

Every count passes through :func:`~graph.algorithms.report.privacy.count`: 1 to 4 is
shown as "fewer than 5", and a share of such a count is None.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from graph.algorithms.report.frame import ReportFrame, flat_ties
from graph.algorithms.report.privacy import count, share


def _shown(value: object) -> int:
    return value if isinstance(value, int) else 0


def club_matrix(frame: ReportFrame, today: str) -> np.ndarray:
    """``M[m, c]``: projected member ``m`` is a member of club code ``c`` on ``today``."""
    p = frame.p
    n_clubs = len(p.clubs.vocab)
    held = np.zeros((len(p.ids), max(n_clubs, 1)), dtype=bool)
    for code in range(n_clubs):
        members = p.club_members(code, today)
        if members:
            held[np.asarray(members, dtype=np.int64), code] = True
    return held


def club_bridges(frame: ReportFrame, *, club: str | None = None, today: str | None = None) -> dict[str, Any]:
    """Members in several clubs and ties across clubs, per club and for the selection.

    Parameters
    ----------
    frame : ReportFrame
        The report's members.
    club : str, optional
        The club the report is about: its row and the pairs it is part of only.
        None: every club with a member in the selection, and every pair.
    today : str, optional
        The day memberships are counted on (ISO); unset, the day of the call.

    Returns
    -------
    dict
        ``members_in_several`` and ``ties``, ``ties_across``, ``share_across`` (the
        selection's ties whose ends share no club); ``clubs``: one row per club with its
        ``members``, ``in_several`` (also in another club), ``ties``, ``ties_leaving``
        and ``share_leaving``; ``pairs``: per pair of clubs, the ``members_in_both`` and
        the ``ties_between``, largest first.

    Examples
    --------
    >>> from tests.support.report_example import example_university_frame
    >>> b = club_bridges(example_university_frame(), today="2026-01-01")
    >>> b["members_in_several"], b["ties"], b["ties_across"]
    (5, 26, 9)
    >>> [(r["id"], r["ties"], r["ties_leaving"]) for r in b["clubs"]]
    [('ef', 18, 10), ('law', 'fewer than 5', 'fewer than 5'), ('mba', 17, 9)]
    >>> [(r["clubs"], r["members_in_both"], r["ties_between"]) for r in b["pairs"]][0]
    (['ef', 'mba'], 5, 7)
    """
    today = today or date.today().isoformat()
    p = frame.p
    held = club_matrix(frame, today)
    vocab = p.clubs.vocab
    focus = sorted((c for c in range(len(vocab)) if held[frame.members, c].any()), key=vocab.keys.__getitem__)
    if club is not None:
        code = p.club(club)
        focus = [code] if code is not None else []

    # each tie once: both ends selected, from the lower index; one end selected, from it
    owner, other, _ = flat_ties(p, frame.members)
    keep = (owner < other) | (frame.local[other] < 0) if len(other) else np.zeros(0, dtype=bool)
    u, v = held[owner[keep]], held[other[keep]]
    n_ties = int(keep.sum())
    in_club = u.any(axis=1) & v.any(axis=1)
    across = int((in_club & ~(u & v).any(axis=1)).sum())

    mine = held[frame.members].astype(np.int64)
    both = mine.T @ mine  # both[a, b]: selected members of clubs a and b (a == b: of a)
    several = mine.sum(axis=1) >= 2
    rows = []
    for c in focus:
        touches = u[:, c] | v[:, c]
        leaving = int((u[:, c] ^ v[:, c]).sum())
        ties = int(touches.sum())
        rows.append(
            {
                "id": vocab.keys[c],
                "name": vocab.names[c],
                "members": count(both[c, c]),
                "in_several": count(int((several & mine[:, c].astype(bool)).sum())),
                "ties": count(ties),
                "ties_leaving": count(leaving),
                "share_leaving": share(leaving, ties),
            }
        )

    # ties that differ in their ends' clubs are the only candidates for a crossing; most
    # join two members of one club each, counted at once; the rest pair by pair
    n_clubs = len(vocab)
    differ = (u != v).any(axis=1)
    single = differ & (u.sum(axis=1) == 1) & (v.sum(axis=1) == 1)
    flat = np.bincount(
        u[single].argmax(axis=1) * n_clubs + v[single].argmax(axis=1), minlength=n_clubs * n_clubs
    ).reshape(n_clubs, n_clubs)
    crossing = flat + flat.T
    rest = differ & ~single
    du, dv = u[rest], v[rest]
    pairs = []
    chosen = set(focus)
    for a in range(n_clubs):
        for b in range(a + 1, n_clubs):
            if a not in chosen and b not in chosen:
                continue
            only_a_u, only_b_u = du[:, a] & ~du[:, b], du[:, b] & ~du[:, a]
            only_a_v, only_b_v = dv[:, a] & ~dv[:, b], dv[:, b] & ~dv[:, a]
            between = int(crossing[a, b]) + int((only_a_u & only_b_v).sum() + (only_b_u & only_a_v).sum())
            shared = int(both[a, b])
            if between or shared:
                x, y = sorted((a, b), key=vocab.keys.__getitem__)
                pairs.append(
                    {
                        "clubs": [vocab.keys[x], vocab.keys[y]],
                        "names": [vocab.names[x], vocab.names[y]],
                        "members_in_both": count(shared),
                        "ties_between": count(between),
                    }
                )
    # ordered by what is shown: hidden counts must not be ranked by their true size
    pairs.sort(key=lambda r: (-_shown(r["ties_between"]) - _shown(r["members_in_both"]), r["clubs"]))
    return {
        "members_in_several": count(int(several.sum())),
        "ties": count(n_ties),
        "ties_across": count(across),
        "share_across": share(across, n_ties),
        "clubs": rows,
        "pairs": pairs,
    }
