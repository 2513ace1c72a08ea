"""A ranker that learns from the club's own ties: pair features, training, scoring and
the reasons behind each suggestion.

Supervision comes from the graph itself (Liben-Nowell & Kleinberg, JASIST 58(7), 2007;
Lichtenwalter, Lussier & Chawla, "New perspectives and methods in link prediction", KDD
2010): a share of the KNOWS ties is hidden — the newest when ties have dates, else a
random share —, candidates are ranked on what is left, and a classifier learns which
features set the hidden ties (positives) apart from the candidates that are not ties
(sampled negatives). At serving time the same features are computed on the whole graph.

Features of a pair (u, c), computed per source over its candidate set (:data:`FEATURES`):

* structure: common neighbours, Adamic–Adar, resource allocation, Jaccard, preferential
  attachment (log), walks of length 3 (the number of 3-step paths for a non-adjacent
  pair), the shortest distance capped at 4, both degrees (log);
* attributes: for each facet (cohort, programme, employer with overlap years, industry,
  skills, interests, events, city) the sum of the rarity weights of the shared values,
  as :mod:`graph.algorithms.suggestions` defines them; the skills ``u`` wants that ``c``
  has; the seniority gap; the gap in graduation years; whether ``c`` mentors;
* circles: the share of ``u``'s connections who live in ``c``'s city, graduated in
  ``c``'s year or studied one of ``c``'s programmes, and the share of ``c``'s connections
  in ``u``'s city and year — how much each one's friends already are the other's kind;
* relative: resource allocation, Adamic–Adar and the city circle divided by their largest
  value among the source's candidates (a pointwise model compares pairs of different
  sources; these say how a candidate stands among its own source's).

The relative columns depend on the whole candidate set, so features are always computed
for a source's full set (training samples rows afterwards).

Candidates are the blend's first estimates (two hops plus attribute groups) and the best
of resource allocation, so the model ranks what the blend would have seen and more.

The model is a scikit-learn estimator: histogram gradient boosting (default) or logistic
regression on standardised features. A suggestion's reasons are the feature groups whose
removal (set to "nothing shared") lowers the model's log-odds the most, in words.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graph import consent
from graph.algorithms.link_prediction import DEFAULT_BUDGET
from graph.algorithms.suggestions import (
    WEIGHTS,
    Reason,
    Suggestion,
    Weights,
    _current_industries,
    _employer_weight,
    candidate_estimates,
    explain,
    rarity,
    screen,
)
from graph.algorithms.tie_strength import shared_employers
from graph.projection import Projection

#: The feature columns, in order. A stored model names them; a model trained on other
#: columns is not used.
FEATURES: tuple[str, ...] = (
    "common_neighbours",
    "adamic_adar",
    "resource_allocation",
    "jaccard",
    "log_preferential_attachment",
    "log_paths_3",
    "distance",
    "log_degree_member",
    "log_degree_candidate",
    "cohort",
    "program",
    "employer",
    "industry",
    "skills",
    "interests",
    "events",
    "city",
    "wanted_skills",
    "seniority_gap",
    "graduation_gap",
    "graduation_known",
    "open_to_mentor",
    "circle_city",
    "circle_year",
    "circle_program",
    "their_circle_city",
    "their_circle_year",
    "relative_resource_allocation",
    "relative_adamic_adar",
    "relative_circle_city",
)
_COL = {name: i for i, name in enumerate(FEATURES)}

#: Feature groups and the reason kind each one becomes in a suggestion.
GROUPS: dict[str, tuple[str, ...]] = {
    "mutual_connections": (
        "common_neighbours",
        "adamic_adar",
        "resource_allocation",
        "jaccard",
        "relative_resource_allocation",
        "relative_adamic_adar",
    ),
    "close_in_network": ("log_paths_3", "distance"),
    "well_connected": ("log_preferential_attachment", "log_degree_candidate"),
    "same_cohort": ("cohort",),
    "same_program": ("program",),
    "same_employer": ("employer",),
    "same_industry": ("industry",),
    "shared_skills": ("skills",),
    "shared_interests": ("interests",),
    "same_events": ("events",),
    "same_city": ("city",),
    "has_skills_you_want": ("wanted_skills",),
    "more_senior": ("seniority_gap",),
    "graduation_years": ("graduation_gap", "graduation_known"),
    "open_to_mentor": ("open_to_mentor",),
    "your_circles": (
        "circle_city",
        "circle_year",
        "circle_program",
        "their_circle_city",
        "their_circle_year",
        "relative_circle_city",
    ),
}

#: The value of each feature for a pair that shares nothing (the baseline of reasons).
ABSENT = np.zeros(len(FEATURES))
ABSENT[_COL["distance"]] = 4.0
ABSENT[_COL["graduation_gap"]] = 10.0

MODEL_KINDS = ("hgb", "logistic")
#: Candidates scored per source: the best of the blend's estimates and of RA, each.
POOL = 100
_UNIT = Weights(employer=1.0)
#: A candidate with more connections than this is not scanned for the circle features.
CIRCLE_SCAN = 2_000
#: The graduation-year gap is capped here (and is this when a year is unknown).
MAX_YEAR_GAP = 10.0


# -- features ---------------------------------------------------------------------------


@dataclass
class SourceContext:
    """What a source's features share: its paths of length 2 to every member within
    budget, and how its connections spread over cities, years and programmes."""

    member: int
    cn: dict[int, int]
    aa: dict[int, float]
    ra: dict[int, float]
    cities: dict[int, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)
    programs: dict[int, int] = field(default_factory=dict)


def source_context(p: Projection, u: int, budget: int = DEFAULT_BUDGET) -> SourceContext:
    """Common-neighbour counts, Adamic–Adar and RA sums from ``u`` to every member two
    steps away (its own connections included: the 3-step counts need them); neighbours
    are expanded lowest degree first until ``budget`` visits were made, as
    :func:`graph.algorithms.link_prediction._two_hop` does."""
    adj = p.adj
    cn: dict[int, int] = {}
    aa: dict[int, float] = {}
    ra: dict[int, float] = {}
    spent = 0
    for w in sorted(adj[u], key=lambda x: (len(adj[x]), x)):
        row = adj[w]
        d = len(row)
        if spent + d > budget and spent:
            break
        spent += d
        a = 1.0 / math.log(d) if d > 1 else 0.0
        r = 1.0 / d
        for c in row:
            if c != u:
                cn[c] = cn.get(c, 0) + 1
                aa[c] = aa.get(c, 0.0) + a
                ra[c] = ra.get(c, 0.0) + r
    cities: dict[int, int] = {}
    years: dict[int, int] = {}
    programs: dict[int, int] = {}
    city_of, year_of, programs_of = p.cities.of_member, p.graduation_year, p.programs.of_member
    for w in adj[u]:
        for v in city_of[w][:1]:
            cities[v] = cities.get(v, 0) + 1
        y = year_of[w]
        if y:
            years[y] = years.get(y, 0) + 1
        for v in programs_of[w]:
            programs[v] = programs.get(v, 0) + 1
    return SourceContext(u, cn, aa, ra, cities, years, programs)


def _shared_rarity(facet: Any, mine: tuple[int, ...], theirs: tuple[int, ...], total: int) -> float:
    if not mine or not theirs:
        return 0.0
    return sum(rarity(facet.count(v), total) for v in mine if v in theirs)


def pair_features(p: Projection, ctx: SourceContext, candidates: Sequence[int]) -> np.ndarray:
    """The :data:`FEATURES` of ``(ctx.member, c)`` for each candidate, one row each.

    >>> from tests.support.example_clubs import small_network
    >>> p = small_network()
    >>> a, d = p.member("a"), p.member("d")
    >>> row = pair_features(p, source_context(p, a), [d])[0]
    >>> int(row[FEATURES.index("common_neighbours")]), int(row[FEATURES.index("distance")])
    (2, 2)
    """
    u = ctx.member
    adj = p.adj
    total = max(p.n_members, 2)
    cn, aa, ra = ctx.cn, ctx.aa, ctx.ra
    du = len(adj[u])
    out = np.zeros((len(candidates), len(FEATURES)))
    facets = (
        (p.cohorts, _COL["cohort"]),
        (p.programs, _COL["program"]),
        (p.skills, _COL["skills"]),
        (p.interests, _COL["interests"]),
        (p.events, _COL["events"]),
        (p.cities, _COL["city"]),
    )
    mine = [(f, col, f.of_member[u]) for f, col in facets]
    wants = p.wants.of_member[u]
    my_year = p.graduation_year[u]
    my_seniority = p.seniority[u]
    my_industries = _current_industries(p, u) if p.positions[u] else set()
    cn_get = cn.get
    my_city = p.city(u)
    city_of, year_of = p.cities.of_member, p.graduation_year
    for i, c in enumerate(candidates):
        row = out[i]
        dc = len(adj[c])
        common = cn_get(c, 0)
        row[0] = common
        row[1] = aa.get(c, 0.0)
        row[2] = ra.get(c, 0.0)
        union = du + dc - common
        row[3] = common / union if union > 0 else 0.0
        row[4] = math.log1p(du * dc)
        paths3 = (
            sum(cn_get(x, 0) for x in adj[c])
            if dc <= 4 * len(cn) + 64
            else sum(n for x, n in cn.items() if p.knows(x, c))
        )
        row[5] = math.log1p(paths3)
        row[6] = 2.0 if common else (3.0 if paths3 else 4.0)
        row[7] = math.log1p(du)
        row[8] = math.log1p(dc)
        for facet, col, held in mine:
            if held:
                row[col] = _shared_rarity(facet, held, facet.of_member[c], total)
        if p.employers.of_member[u] and p.employers.of_member[c]:
            shared = shared_employers(p, u, c)
            if shared:
                row[_COL["employer"]] = _employer_weight(p, shared, _UNIT, total)
        if my_industries and p.positions[c]:
            row[_COL["industry"]] = float(bool(my_industries & _current_industries(p, c)))
        if wants:
            theirs = p.skills.of_member[c]
            if theirs:
                row[_COL["wanted_skills"]] = sum(
                    0.5 + 0.5 * rarity(p.skills.count(v), total) for v in wants if v in theirs
                )
        row[_COL["seniority_gap"]] = max(-3, min(3, p.seniority[c] - my_seniority))
        year = p.graduation_year[c]
        if my_year and year:
            row[_COL["graduation_gap"]] = min(MAX_YEAR_GAP, abs(year - my_year))
            row[_COL["graduation_known"]] = 1.0
        else:
            row[_COL["graduation_gap"]] = MAX_YEAR_GAP
        row[_COL["open_to_mentor"]] = float(consent.mentor_at(p, c))
        if du:
            their_city = p.cities.of_member[c]
            if their_city:
                row[_COL["circle_city"]] = ctx.cities.get(their_city[0], 0) / du
            if year:
                row[_COL["circle_year"]] = ctx.years.get(year, 0) / du
            progs = p.programs.of_member[c]
            if progs:
                row[_COL["circle_program"]] = max(ctx.programs.get(v, 0) for v in progs) / du
        if dc and dc <= CIRCLE_SCAN and (my_city is not None or my_year):
            same_city = same_year = 0
            for x in adj[c]:
                if my_city is not None and city_of[x][:1] == (my_city,):
                    same_city += 1
                if my_year and year_of[x] == my_year:
                    same_year += 1
            row[_COL["their_circle_city"]] = same_city / dc
            row[_COL["their_circle_year"]] = same_year / dc
    for source, target in (
        ("resource_allocation", "relative_resource_allocation"),
        ("adamic_adar", "relative_adamic_adar"),
        ("circle_city", "relative_circle_city"),
    ):
        top = out[:, _COL[source]].max() if len(out) else 0.0
        if top > 0:
            out[:, _COL[target]] = out[:, _COL[source]] / top
    return out


def candidates_of(p: Projection, ctx: SourceContext, pool: int = POOL) -> list[int]:
    """The members worth scoring for ``ctx.member``: the ``pool`` best first estimates of
    the blend and the ``pool`` best by resource allocation (not yet consent-filtered; never
    the member or its connections)."""
    u = ctx.member
    estimates = candidate_estimates(p, u, WEIGHTS[None], want=2 * pool)
    best = heapq.nlargest(pool, estimates, key=estimates.__getitem__)
    exclude = set(p.adj[u])
    exclude.add(u)
    ra = {c: s for c, s in ctx.ra.items() if c not in exclude}
    chosen = dict.fromkeys(best)
    chosen.update(dict.fromkeys(heapq.nlargest(pool, ra, key=ra.__getitem__)))
    return [c for c in chosen if c not in exclude]


# -- training -----------------------------------------------------------------------------


@dataclass
class TrainingSet:
    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray  # the source of each row
    sources: int
    hidden_ties: int


def training_set(
    p: Projection,
    *,
    fraction: float = 0.1,
    split: str | None = None,
    seed: int = 0,
    max_sources: int = 1_000,
    negatives: int = 100,
    pool: int = POOL,
    min_positives: int = 5_000,
    max_rounds: int = 5,
) -> TrainingSet:
    """Rows for fitting: hide ``fraction`` of ``p``'s ties (the newest when ``split`` is
    ``newest``; None chooses newest when most ties have a year), and for up to
    ``max_sources`` members who lost one, the features of their candidates on what is
    left, labelled 1 for a hidden tie; at most ``negatives`` non-ties per source (a seeded
    sample). A small club gives few positives per split, so splits are repeated until
    ``min_positives`` were found or ``max_rounds`` were made: random ones with new seeds,
    newest ones further back in time (round r hides the newest (r+1)·``fraction`` and
    learns from the oldest ``fraction`` of those, on the graph before them). ``p`` is left
    unchanged."""
    from graph.algorithms.evaluation import hide_ties

    split = split or default_split(p)
    rng = random.Random(seed + 17)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    gs: list[np.ndarray] = []
    positives = hidden_ties = sources_used = 0
    for round_ in range(max_rounds):
        if round_ and positives >= min_positives:
            break
        if split == "random":
            train, hidden = hide_ties(p, fraction=fraction, split=split, seed=seed + 7_919 * round_)
        else:
            if (round_ + 1) * fraction > 0.5:
                break
            train, hidden = hide_ties(p, fraction=(round_ + 1) * fraction, split=split, seed=seed)
            if round_:
                _, newer = hide_ties(p, fraction=round_ * fraction, split=split, seed=seed)
                hidden = {m: ts - newer.get(m, set()) for m, ts in hidden.items()}
        hidden_ties += sum(len(v) for v in hidden.values()) // 2
        sources = sorted(m for m, ts in hidden.items() if ts)
        if len(sources) > max_sources:
            sources = sorted(rng.sample(sources, max_sources))
        for u in sources:
            ctx = source_context(train, u)
            cands = candidates_of(train, ctx, pool)
            truth = hidden[u]
            pos = [i for i, c in enumerate(cands) if c in truth]
            if not pos:
                continue
            neg = [i for i, c in enumerate(cands) if c not in truth]
            if len(neg) > negatives:
                neg = sorted(rng.sample(neg, negatives))
            rows = pair_features(train, ctx, cands)
            xs.append(rows[pos + neg])
            ys.append(np.r_[np.ones(len(pos)), np.zeros(len(neg))])
            gs.append(np.full(len(pos) + len(neg), u))
            positives += len(pos)
            sources_used += 1
    if not xs:
        raise ValueError("no hidden tie was found among the candidates: too few ties to learn from")
    return TrainingSet(np.vstack(xs), np.concatenate(ys), np.concatenate(gs), sources_used, hidden_ties)


def default_split(p: Projection) -> str:
    """``newest`` when at least half the ties have a year, else ``random``."""
    dated = total = 0
    for row in p.since:
        total += len(row)
        dated += sum(1 for y in row if y)
    return "newest" if total and dated * 2 >= total else "random"


def make_estimator(kind: str, seed: int = 0) -> Any:
    """An unfitted scikit-learn classifier: ``hgb`` or ``logistic``."""
    if kind == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            max_iter=300,
            learning_rate=0.05,
            max_leaf_nodes=15,
            min_samples_leaf=100,
            l2_regularization=1.0,
            random_state=seed,
        )
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2_000))
    raise ValueError(f"model kind must be one of {', '.join(MODEL_KINDS)}")


def _one_thread() -> Any:
    # a shared machine: the numerical libraries must not take every core
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


_predict_limited = False


def _limit_prediction_threads() -> None:
    """OpenMP to one thread for the rest of the process, set once: the model scores a
    request's hundred candidates, where threads cost more than they give, and entering a
    ``threadpool_limits`` context costs ~20 ms (it reads the process's loaded libraries)."""
    global _predict_limited
    if not _predict_limited:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="openmp")
        _predict_limited = True


@dataclass
class RankerModel:
    """A fitted ranker and what it was trained on."""

    kind: str
    estimator: Any
    features: tuple[str, ...] = FEATURES
    version: int = 0
    trained_at: str = ""
    members: int = 0
    ties: int = 0
    split: str = "random"
    rows: int = 0
    info: dict[str, Any] = field(default_factory=dict)
    #: The "shares nothing" row the reasons are measured against (:data:`ABSENT`, with
    #: the degrees of a typical training pair rather than none at all).
    baseline: np.ndarray = field(default_factory=lambda: ABSENT.copy())

    def log_odds(self, X: np.ndarray) -> np.ndarray:
        _limit_prediction_threads()
        return np.asarray(self.estimator.decision_function(X), dtype=float)

    def importances(self) -> dict[str, float]:
        """How much each feature group matters, for either kind: the mean absolute change
        in log-odds when the group is set to its "shares nothing" baseline, over the
        training positives (filled by :func:`train`; empty for a model built otherwise)."""
        return dict(self.info.get("importances", {}))


def fit(ts: TrainingSet, kind: str = "hgb", seed: int = 0) -> Any:
    """Fit a fresh estimator of ``kind`` on ``ts`` (one thread)."""
    est = make_estimator(kind, seed)
    with _one_thread():
        est.fit(ts.X, ts.y)
    return est


def group_contributions(model: RankerModel, X: np.ndarray) -> dict[str, np.ndarray]:
    """For each group of :data:`GROUPS`, the log-odds each row loses when the group's
    features are set to their :data:`ABSENT` values (how much the group lifted it)."""
    # one call to the model for every variant: its per-call overhead dominates small batches
    n = len(X)
    variants = [X]
    for names in GROUPS.values():
        cols = [_COL[name] for name in names]
        changed = X.copy()
        changed[:, cols] = model.baseline[cols]
        variants.append(changed)
    scores = model.log_odds(np.vstack(variants))
    base = scores[:n]
    return {group: base - scores[n * (i + 1) : n * (i + 2)] for i, group in enumerate(GROUPS)}


def train(
    p: Projection,
    *,
    kind: str = "hgb",
    fraction: float = 0.1,
    split: str | None = None,
    seed: int = 0,
    max_sources: int = 1_000,
    negatives: int = 100,
) -> RankerModel:
    """Fit a :class:`RankerModel` of ``kind`` on ``p``'s own ties (see
    :func:`training_set`); its ``info`` holds the feature-group importances."""
    from datetime import UTC, datetime

    split = split or default_split(p)
    ts = training_set(
        p, fraction=fraction, split=split, seed=seed, max_sources=max_sources, negatives=negatives
    )
    model = RankerModel(
        kind,
        fit(ts, kind, seed),
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        members=p.n_members,
        ties=p.n_ties,
        split=split,
        rows=len(ts.y),
    )
    for name in ("log_preferential_attachment", "log_degree_member", "log_degree_candidate"):
        model.baseline[_COL[name]] = float(np.median(ts.X[:, _COL[name]]))
    sample = ts.X[ts.y == 1][:2_000]
    if len(sample):
        contrib = group_contributions(model, sample)
        model.info["importances"] = {
            g: round(float(np.mean(np.abs(v))), 4)
            for g, v in sorted(contrib.items(), key=lambda kv: -np.mean(np.abs(kv[1])))
        }
    model.info.update(
        sources=ts.sources,
        positives=int(ts.y.sum()),
        hidden_ties=ts.hidden_ties,
        fraction=fraction,
        seed=seed,
    )
    return model


# -- ranking ------------------------------------------------------------------------------

#: Extra weight per purpose on the attribute features, added to the learned log-odds: ties
#: show whom people know, not whom they need for a career or a mentor, so each purpose's
#: lean is kept as an explicit preference on top of what the club's ties taught.
PURPOSE_BONUS: dict[str | None, dict[str, float]] = {
    None: {},
    "social": {"cohort": 0.5, "events": 0.5, "city": 0.3, "interests": 0.3},
    "career": {"employer": 1.0, "industry": 0.6, "seniority_gap": 0.3, "skills": 0.3},
    "mentoring": {"wanted_skills": 1.5, "seniority_gap": 0.5, "open_to_mentor": 0.8},
}


def score_candidates(
    p: Projection,
    model: RankerModel,
    member: int,
    *,
    purpose: str | None = None,
    pool: int = POOL,
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """The candidates of ``member``, their features and their scores (log-odds plus the
    purpose's bonus), unsorted and not yet consent-filtered."""
    ctx = source_context(p, member)
    cands = candidates_of(p, ctx, pool)
    if not cands:
        return [], np.zeros((0, len(FEATURES))), np.zeros(0)
    X = pair_features(p, ctx, cands)
    scores = model.log_odds(X)
    for name, weight in PURPOSE_BONUS.get(purpose, {}).items():
        col = X[:, _COL[name]]
        scores = scores + weight * (np.maximum(col, 0) / 3 if name == "seniority_gap" else col)
    return cands, X, scores


def learned_rank(
    p: Projection, model: RankerModel, member: int, depth: int, purpose: str | None = None
) -> list[int]:
    """The ``depth`` best discoverable candidates of ``member`` by the model (evaluation)."""
    cands, _, scores = score_candidates(p, model, member, purpose=purpose)
    order = sorted(range(len(cands)), key=lambda i: (-round(float(scores[i]), 9), p.ids[cands[i]]))
    out = []
    for i in order:
        if consent.discoverable_at(p, cands[i]):
            out.append(cands[i])
            if len(out) == depth:
                break
    return out


def _graduation_text(p: Projection, me: int, c: int) -> str:
    a, b = p.graduation_year[me], p.graduation_year[c]
    if a and b and a == b:
        return f"both graduated in {a}"
    if a and b:
        return f"graduated {abs(a - b)} year{'s' if abs(a - b) != 1 else ''} apart ({b})"
    return "graduation years"


def suggest_learned(
    p: Projection, model: RankerModel, member: int, *, limit: int = 10, purpose: str | None = None
) -> list[Suggestion]:
    """Whom ``member`` should meet by the learned model, best first.

    The score is the model's probability (with the purpose's bonus folded into the
    log-odds); each reason is a feature group whose removal would lower the log-odds,
    its weight that drop, its text the blend's description of the same shared thing
    (:func:`graph.algorithms.suggestions.explain`). The same consent gate as the blend.
    """
    if purpose not in PURPOSE_BONUS:
        raise ValueError("purpose must be one of career, mentoring, social")
    cands, X, scores = score_candidates(p, model, member, purpose=purpose)
    order = sorted(range(len(cands)), key=lambda i: (-round(float(scores[i]), 9), p.ids[cands[i]]))
    chosen = []
    for i in order:
        if consent.discoverable_at(p, cands[i]):
            chosen.append(i)
            if len(chosen) == limit:
                break
    if not chosen:
        return []
    contrib = group_contributions(model, X[chosen])
    mine = set(p.adj[member])
    out = []
    for j, i in enumerate(chosen):
        c = cands[i]
        texts, mutual = explain(p, member, c, WEIGHTS[purpose], mine)
        by_kind = {r.kind: r.detail for r in texts}
        reasons = []
        for group, values in contrib.items():
            weight = float(values[j])
            if weight <= 0.01:
                continue
            detail = by_kind.get(group) or _group_text(p, member, c, group, X[i])
            if detail:
                reasons.append(Reason(group, detail, round(weight, 4)))
        reasons.sort(key=lambda r: -r.weight)
        if not reasons:
            # the model may rank a pair by structure alone (no group it can put in words
            # moved the score): the member still sees what the two share, as the blend says it
            reasons = sorted(texts, key=lambda r: -r.weight)
        probability = 1.0 / (1.0 + math.exp(-float(scores[i])))
        out.append(Suggestion(c, round(probability, 4), tuple(reasons), tuple(mutual)))
    return screen(p, member, out)


def _group_text(p: Projection, me: int, c: int, group: str, row: np.ndarray) -> str:
    if group == "close_in_network":
        paths = round(math.expm1(row[_COL["log_paths_3"]]))
        if row[_COL["distance"]] <= 2:
            return "close in the network"
        return f"{paths} paths of three steps" if paths else ""
    if group == "well_connected":
        return f"well connected ({len(p.adj[c])} connections)"
    if group == "graduation_years":
        return _graduation_text(p, me, c) if row[_COL["graduation_known"]] else ""
    if group == "more_senior":
        return "further along in their career" if row[_COL["seniority_gap"]] > 0 else ""
    if group == "your_circles":
        parts = []
        city = p.city(c)
        if row[_COL["circle_city"]] >= 0.1 and city is not None:
            parts.append(
                f"{row[_COL['circle_city']]:.0%} of your connections are in {p.cities.vocab.names[city]}"
            )
        if row[_COL["circle_year"]] >= 0.1:
            parts.append(
                f"{row[_COL['circle_year']]:.0%} of your connections graduated in {p.graduation_year[c]}"
            )
        return "; ".join(parts) or "moves in circles close to yours"
    if group == "open_to_mentor":
        return "open to mentoring" if row[_COL["open_to_mentor"]] else ""
    return ""


Ranker = Callable[[Projection, int, int], list[int]]


def ranker_for(model: RankerModel) -> Ranker:
    """:func:`learned_rank` with ``model`` bound, in the shape evaluation expects."""

    def rank(p: Projection, member: int, depth: int) -> list[int]:
        return learned_rank(p, model, member, depth)

    return rank
