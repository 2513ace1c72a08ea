"""Deadlines that only guard against a real hang, never budgets a test is measured by.

The suite passes on a machine whose cores are busy with other work, where Neo4j took
70 s to restart and a service a minute to start; waits are for conditions, and these
bound them only so that something that never happens fails the run instead of holding it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

#: Starting (or restarting) a Neo4j server until it answers.
NEO4J_START = 600.0
#: A child process (a CLI command, a service starting) doing a small job.
CHILD = 600.0
#: One HTTP answer: past this the request is hung.
ANSWER = 120.0
#: A condition on a web page (an element shown, an address reached) in a browser test:
#: Playwright's ``expect`` gives up after 5 s unless told, which a busy machine can take.
PAGE = 60.0


def until(condition: Callable[[], object], what: str, deadline: float = ANSWER) -> None:
    """Wait for ``condition()`` to hold, polling; fail with ``what`` after ``deadline`` s."""
    ends = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < ends, what
        time.sleep(0.05)
