"""The loader tests live in ``tests/loaders``, a folder named like the package under test.

pytest puts ``tests/`` on ``sys.path`` (its conftest has no package), and there this
folder would pass for a namespace package called ``loaders`` whenever the project root
itself is not on the path (``pytest`` run as a script rather than ``python -m pytest``).
A regular package anywhere on the path wins over a namespace folder, so adding the
project root is enough.
"""

from __future__ import annotations

import sys

from graph.config import PROJECT_ROOT

if str(PROJECT_ROOT) not in sys.path:
    sys.path.append(str(PROJECT_ROOT))
