"""What every benchmark shares: its own Neo4j, cached datasets, timing and reporting."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.config import PROJECT_ROOT, ConnectionSettings, LocalServerSettings
from service.core.config import Settings
from service.neo4j_server import LocalNeo4j

TIERS = {"club": 2_000, "faculty": 40_000, "hbs": 320_000}
DATA_DIR = PROJECT_ROOT / "var" / "bench"
OUT_DIR = PROJECT_ROOT / "bench" / "out"
SEED = 7


def bench_server_settings() -> LocalServerSettings:
    """The benchmarks' own server, beside the demo and the tests; larger page cache."""
    os.environ.setdefault("ALUMNI_GRAPH_NEO4J_HEAP", "2g")
    os.environ.setdefault("ALUMNI_GRAPH_NEO4J_PAGECACHE", "2g")
    return Settings().local_server(
        home=os.environ.get("ALUMNI_GRAPH_BENCH_NEO4J_DIR") or PROJECT_ROOT / ".neo4j" / "bench",
        bolt_port=int(os.environ.get("ALUMNI_GRAPH_BENCH_BOLT_PORT") or 7698),
        http_port=int(os.environ.get("ALUMNI_GRAPH_BENCH_HTTP_PORT") or 7485),
    )


def bench_connection() -> ConnectionSettings:
    """NEO4J_URI if set, else the benchmarks' local server (started if needed)."""
    if os.environ.get("NEO4J_URI"):
        return Settings().connection()
    local = bench_server_settings()
    LocalNeo4j(local).start()
    return Settings().connection(local)


def service_env(settings: ConnectionSettings, **extra: str) -> dict[str, str]:
    """The environment a benchmark starts the service with: this process's, its Neo4j
    named by ``settings``, the rate limit off, and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    if settings.home is not None:
        # the tombstone key and journal of this server, not of a folder the shell names:
        # the database is bound to its own key, and the service refuses to start with another
        env["ALUMNI_GRAPH_NEO4J_DIR"] = str(settings.home)
    env.update(
        NEO4J_URI=settings.uri,
        NEO4J_USER=settings.user,
        NEO4J_PASSWORD=settings.password,
        ALUMNI_GRAPH_RATE_LIMIT_PER_MINUTE="0",
        **extra,
    )
    return env


def dataset(tier: str, seed: int = SEED) -> Path:
    """The tier's generated bundle, made once and kept under var/bench."""
    from loaders.synthetic import generate_bundle

    out = DATA_DIR / f"{tier}-{seed}"
    if not (out / ".complete").exists():
        generate_bundle(out, TIERS[tier], seed)
        (out / ".complete").write_text("ok", encoding="utf-8")
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Timings:
    samples_ms: list[float]

    @property
    def summary(self) -> dict[str, float]:
        s = self.samples_ms
        return {
            "n": len(s),
            "p50_ms": round(statistics.median(s), 3),
            "p90_ms": round(percentile(s, 0.90), 3),
            "p99_ms": round(percentile(s, 0.99), 3),
            "max_ms": round(max(s), 3),
        }


def time_calls(fn: Callable[[Any], Any], args: list[Any], warmup: int = 20) -> Timings:
    for a in args[:warmup]:
        fn(a)
    samples = []
    for a in args:
        t0 = time.perf_counter()
        fn(a)
        samples.append((time.perf_counter() - t0) * 1000)
    return Timings(samples)


@contextmanager
def stopwatch() -> Iterator[dict[str, float]]:
    result: dict[str, float] = {}
    t0 = time.perf_counter()
    yield result
    result["seconds"] = time.perf_counter() - t0


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def save(name: str, payload: dict[str, Any]) -> Path:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), **payload}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def cached_projection(tier: str, seed: int = SEED) -> tuple[Any, float | None]:
    """The tier's projection built from its bundle (no Neo4j), and the build's seconds.

    The build through the loaders takes minutes at the hbs tier, so the projection is kept
    as a pickle beside the bundle; the seconds are None when it came from there. The
    pickle's name carries a digest of the projection's source, so a changed projection
    never reads a pickle written by an older one.
    """
    import hashlib
    import pickle
    import threading

    import graph.projection as projection_module
    from graph.projection import Projection
    from loaders.to_projection import projection_from_bundle

    source = hashlib.sha256()
    for module in sorted(Path(projection_module.__file__).parent.glob("*.py")):
        source.update(module.read_bytes())
    digest = source.hexdigest()[:12]
    cache = DATA_DIR / f"{tier}-{seed}.projection-{digest}.pickle"
    if cache.exists():
        with cache.open("rb") as f:
            state = pickle.load(f)
        p = object.__new__(Projection)
        p.__dict__.update(state)
        p._lock = threading.Lock()
        return p, None
    with stopwatch() as t:
        p, _ = projection_from_bundle(dataset(tier, seed))
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        pickle.dump(
            {k: v for k, v in p.__dict__.items() if k != "_lock"}, f, protocol=pickle.HIGHEST_PROTOCOL
        )
    tmp.replace(cache)
    return p, t["seconds"]
