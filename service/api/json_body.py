"""Answers serialised once: JSON bytes made straight from plain dicts and lists.

A route that returns a model has FastAPI validate it against the route's
``response_model`` and then serialise it; building the nested models (a suggestion
answer holds some fifty) cost more than both. The busiest reads (suggestions,
introductions, the directory, profiles) build their answer as dicts instead, with the
fields in the model's order and of the model's exact types (``str``, ``int``, ``float``,
``bool``, ``None``: a numpy number is converted first), and return :func:`json_response`.
pydantic-core serialises both ways, so the bytes are the ones the model gave
(``tests/projection/test_json_body.py`` checks each such answer against its model). The route
keeps its ``response_model`` for the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import to_json
from starlette.responses import Response

#: What FastAPI answers a returned model with (``Response`` with this media type).
MEDIA_TYPE = "application/json"


def json_response(content: dict[str, Any], status_code: int = 200) -> Response:
    """``content`` as FastAPI would answer it, had the route returned its model.

    ``content`` must be what the model would hold: its fields in order, plain types.
    Not-a-number and infinities become ``null``, as a model's floats do.
    """
    return Response(to_json(content, inf_nan_mode="null"), status_code=status_code, media_type=MEDIA_TYPE)


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    """A model already validated, serialised once (FastAPI would validate it again first)."""
    body = model.__pydantic_serializer__.to_json(model, by_alias=True)  # as FastAPI asks it
    return Response(body, status_code=status_code, media_type=MEDIA_TYPE)
