"""Types of the compiled walk of a source to its two-hop members (_source_walk.pyx)."""

import numpy as np

def source_walk(
    u: int,
    reach: np.ndarray,
    lengths: np.ndarray,
    via_members: np.ndarray,
    aa_weight: np.ndarray,
    ra_weight: np.ndarray,
    neighbours: np.ndarray,
    place: np.ndarray,
    marks: np.ndarray,
) -> tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
]: ...
