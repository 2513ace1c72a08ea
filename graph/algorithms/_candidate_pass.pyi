"""Types of the compiled pass over a source's candidates' connections and of the other
compiled steps of a learned suggestion (_candidate_pass.pyx)."""

import numpy as np

ROWS: tuple[str, ...]

def candidate_pass(
    table: np.ndarray,
    rows: np.ndarray,
    cands: np.ndarray,
    theirs: np.ndarray,
    lengths: np.ndarray,
    keys: np.ndarray,
    cn: np.ndarray,
    aa: np.ndarray,
    ra: np.ndarray,
    cn_city: np.ndarray,
    cn_year: np.ndarray,
    cn_city_year: np.ndarray,
    neighbours: np.ndarray,
    inner_start: np.ndarray,
    inner_to: np.ndarray,
    inner_weight: np.ndarray,
    degree: np.ndarray,
    place: np.ndarray,
    my_city: int,
    my_year: int,
    scan: int,
    marks: np.ndarray,
    close: np.ndarray,
) -> None: ...
def gather_rows(
    offsets: np.ndarray, values: np.ndarray, members: np.ndarray
) -> tuple[np.ndarray, np.ndarray]: ...
def packed_sums(
    offsets: np.ndarray,
    values: np.ndarray,
    facet: np.ndarray,
    weight: np.ndarray,
    base: tuple[int, ...],
    mine: np.ndarray,
    cands: np.ndarray,
    wanted: int,
    sums: np.ndarray,
    terms: np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray] | None]: ...
def employer_sums(
    offsets: np.ndarray,
    employer: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    cands: np.ndarray,
    member: int,
    employers: np.ndarray,
    base: np.ndarray,
    holders: np.ndarray,
    factor: np.ndarray,
    reference_year: int,
    out: np.ndarray,
    shared: np.ndarray,
) -> None: ...

FINISHED: tuple[str, ...]

def finish_columns(
    table: np.ndarray,
    rows: np.ndarray,
    cands: np.ndarray,
    dc: np.ndarray,
    du: int,
    seniority: np.ndarray,
    year: np.ndarray,
    mentors: np.ndarray,
    member: int,
    max_year_gap: float,
    rank_cap: int,
) -> None: ...

CIRCLES: tuple[str, ...]

def circle_columns(
    table: np.ndarray,
    rows: np.ndarray,
    neighbours: np.ndarray,
    cands: np.ndarray,
    city: np.ndarray,
    year: np.ndarray,
    place: np.ndarray,
    programs: np.ndarray,
    their_programs: np.ndarray,
    whose: np.ndarray,
    degree: int,
) -> None: ...
def found_estimates(
    keys: np.ndarray,
    aa: np.ndarray,
    structure: float,
    neighbours: np.ndarray,
    member: int,
    holders: np.ndarray,
    weights: np.ndarray,
    sizes: np.ndarray,
    marks: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...
def gather_vectors(
    rows: np.ndarray, cands: np.ndarray, vectors: np.ndarray, norms: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...
def group_variants(
    X: np.ndarray, baseline: np.ndarray, mask: np.ndarray, with_rows: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...
