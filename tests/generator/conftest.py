"""The generator tests need no Neo4j; they only make sure ``loaders`` is the real package.

pytest puts ``tests/`` on ``sys.path``, where the ``tests/loaders`` folder would pass for
a namespace package called ``loaders`` when the project root is not on the path (pytest
run as a script). A regular package anywhere on the path wins, so the root is added.
"""

from __future__ import annotations

import sys

from graph.config import PROJECT_ROOT

if str(PROJECT_ROOT) not in sys.path:
    sys.path.append(str(PROJECT_ROOT))
