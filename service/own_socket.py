"""The worker of ``serve --workers N --reuse-port``: uvicorn's, on a socket of its own.

Kept apart from :mod:`service.supervisor` because uvicorn starts each worker as a fresh
interpreter and hands it this class by name (a pickle), so it must be importable there.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from uvicorn.supervisors.multiprocess import Process

from service.supervisor import claim_socket


class OwnSocketProcess(Process):
    """A uvicorn worker that serves only the socket it claimed (:func:`claim_socket`)."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # pragma: no cover
        assert sockets is not None
        i, _held = claim_socket(sockets, Path(os.environ["ALUMNI_GRAPH_SHARED_STATE_DIR"]))
        for j, sock in enumerate(sockets):
            if j != i:
                sock.close()  # this process's copy only; the supervisor keeps its own
        super().target([sockets[i]])
