"""Benchmarks. Run with ``make bench`` or ``python -m bench.run NAME``; figures go to RESULTS.md."""
