"""The pages a browser lands on when signing in does not work out, in the page's language.

Each outcome (a used link, an unmatched person, a provider that does not answer) has its
own sentence (``auth_*`` in ``service/web/i18n``) and a way on: back to the sign-in page.
A client that does not ask for HTML (a script, ``curl``) gets the API's error body instead.
"""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from service.api.errors import error_body
from service.web import strings
from service.web.pages import LANG_COOKIE, Page, _render

#: The template under service/web/templates.
_PAGE = "auth"


def language(request: Request) -> str:
    return strings.pick(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def wants_html(request: Request) -> bool:
    """A browser navigating (it asks for HTML); a script gets the API's JSON error body."""
    return "text/html" in request.headers.get("accept", "")


def outcome_page(request: Request, key: str, status_code: int, **values: object) -> Response:
    """The page for outcome ``key`` (``auth_<key>`` in the strings), with ``values`` filled
    in; for a client that does not ask for HTML, the same sentence as the API's error body."""
    lang = language(request)
    t = strings.translator(lang)
    if not wants_html(request):
        code = {
            400: "bad_request",
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            429: "rate_limited",
            503: "unavailable",
        }.get(status_code, "error")
        return JSONResponse(
            error_body(code, strings.translator("en")("auth_" + key, **values), {"outcome": key}),
            status_code=status_code,
            headers={"Cache-Control": "no-store"},
        )
    page = Page(_PAGE, "page_signin_result", ())
    response = _render(
        request,
        page,
        lang,
        set_cookie=False,
        extra={"message": t("auth_" + key, **values), "outcome": key},
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
