"""Builders and helpers shared by the tests, imported as ``tests.support.<module>``.

- ``projection_clubs``: hand-built projections from short tuples (no database).
- ``introductions_reference``: the reference introduction search the fast one must match.
- ``mentoring_clubs``: shared values of the mentoring tests.
- ``report_rows``: small clubs in the store's write shapes, and the report page checks.
- ``reliability``: generated clubs, child-process environments, the service under uvicorn.
"""
