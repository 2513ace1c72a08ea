"""Text that comes in (path and query parameters, JSON fields) held to :mod:`graph.text`.

* Path and query parameters, on every route that needs a token, pass
  :func:`screen_parameters` right after the token (the sign-in routes, open to anyone,
  :func:`screened_open_parameters`): a control, bidi or invisible character anywhere is a 422
  naming the parameter, and nothing is stripped (an id is matched exactly: ``m1``
  followed by a zero-width space is not ``m1``).
* JSON fields use the validators as ``Annotated`` metadata, so that a refusal is the
  usual 422 naming the field: :data:`NoControls` for ids and keys (refused as above),
  :data:`CleanText` for free text such as a headline (the harmless invisibles stripped
  first, as a load strips them, then the rest refused).
"""

from __future__ import annotations

from fastapi import Depends, Request
from pydantic import AfterValidator

from graph.text import DROPPED, EDGE_INVISIBLE, WHITE_CONTROLS, control_character, describe, screen
from service.api.errors import ApiError


def no_controls(value: str | None) -> str | None:
    """``value`` unchanged, or ValueError if it holds a control or format character
    (tab and line breaks too: an id or a search is one line)."""
    if value is None:
        return None
    if bad := control_character(value) or next((c for c in value if c in WHITE_CONTROLS), None):
        raise ValueError(f"contains a control character ({describe(bad)})")
    if (edge := _stripped_invisible(value)) is not None:
        # a load strips these, so no stored id holds one: refused rather than never found
        raise ValueError(f"contains an invisible character ({describe(edge)})")
    return value


def _stripped_invisible(value: str) -> str | None:
    """The first invisible character :func:`~graph.text.strip_invisible` would remove."""
    if DROPPED in value:
        return DROPPED
    for end in (value[:1], value[-1:]):
        if end and end in EDGE_INVISIBLE:
            return end
    return None


def clean_text(value: str | None) -> str | None:
    """``value`` with the harmless invisibles stripped; ValueError for the rest."""
    return None if value is None else screen(value)


NoControls = AfterValidator(no_controls)
CleanText = AfterValidator(clean_text)


def _refused(field: str, problem: str) -> ApiError:
    return ApiError(
        422,
        f"invalid value for {field}",
        code="invalid_input",
        details={"fields": [{"field": field, "problem": problem}]},
    )


def screen_parameters(request: Request) -> None:
    """Refuse (422 naming it) a path or query parameter that holds a control, bidi or
    invisible character. Every route that needs a token does this right after the token
    (:class:`service.core.auth.BearerPrincipal`)."""
    params = [*request.path_params.items(), *request.query_params.multi_items()]
    for name, value in params:
        if not isinstance(value, str):
            continue
        try:
            no_controls(value)
        except ValueError as exc:
            raise _refused(name, str(exc)) from None


async def screened_open_parameters(request: Request) -> None:
    """The same screening for the routes anyone may call (signing in), which have no
    authentication to come first."""
    screen_parameters(request)


#: Added to the sign-in router (open to anyone) by :func:`service.app.create_app`.
ScreenedOpenParameters = Depends(screened_open_parameters)
