"""The web front end: server-rendered pages that call the API from the browser.

The pages themselves hold no data and need no token; each one asks
``GET /api/v1/auth/session`` who is signed in and calls the API with ``fetch()`` and the
session cookie (see :mod:`service.core.sessions`). So every page and asset answers without
a token (see :data:`service.api.middleware.edge.OPEN_PREFIXES`), and the data behind them
stays behind the API's own checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Cookie, FastAPI, Header, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from service.api import API_V1
from service.core.roles import Role
from service.web import strings

WEB = "/web"
_HERE = Path(__file__).parent
_templates = Jinja2Templates(directory=_HERE / "templates")
LANG_COOKIE = "ag_lang"

M, CO, AN, AD = Role.MEMBER.value, Role.CAREER_OFFICE.value, Role.ANALYST.value, Role.ADMIN.value


@dataclass(frozen=True)
class Page:
    slug: str  # the path under /web/; "" is the sign-in page
    title: str  # a strings key
    roles: tuple[str, ...]  # who the page is for; empty: anyone
    scripts: tuple[str, ...] = ()
    wide: bool = False  # a drawing or a wide table: use the whole width
    university: bool = False  # for the university's admins: hidden from a club's


PAGES: tuple[Page, ...] = (
    Page("", "page_signin", (), ("signin.js",)),
    Page("home", "page_home", (M, CO, AN, AD), ("memory.js", "home.js"), wide=True),
    Page("meet", "page_meet", (M, AD), ("people_picker.js", "reasons.js", "meet.js")),
    Page(
        "paths",
        "page_paths",
        (M, CO, AD),
        ("vendor", "graphs.js", "employer_picker.js", "people_picker.js", "intro.js", "paths.js"),
        wide=True,
    ),
    Page("inbox", "page_inbox", (M,), ("intro.js", "inbox.js")),
    Page(
        "mentors", "page_mentors", (M, CO, AD), ("people_picker.js", "reasons.js", "intro.js", "mentors.js")
    ),
    Page(
        "network",
        "page_network",
        (M, AD),
        ("vendor", "graphs.js", "people_picker.js", "network.js"),
        wide=True,
    ),
    Page("profile", "page_profile", (M, AD), ("people_picker.js", "profile.js")),
    Page("directory", "page_directory", (CO, AD), ("memory.js", "directory.js"), wide=True),
    Page(
        "employers",
        "page_employers",
        (CO, AD),
        ("reasons.js", "employer_picker.js", "people_picker.js", "memory.js", "employers.js"),
        wide=True,
    ),
    Page(
        "mentoring", "page_mentoring", (CO, AD), ("people_picker.js", "reasons.js", "mentoring.js"), wide=True
    ),
    Page("report", "page_report", (AN, AD), ("charts.js", "report.js"), wide=True),
    Page("communities", "page_communities", (AN, AD), ("vendor", "graphs.js", "communities.js"), wide=True),
    Page("invite", "page_invite", (AD,), ("invite.js",), wide=True),
    Page("outbox", "page_outbox", (AD,), ("outbox.js",), wide=True, university=True),
    Page("sync", "page_sync", (AD,), ("sync.js",), wide=True),
)

#: Navigation groups, in order: (strings key of the group, the pages in it).
NAV: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nav_group_start", ("home",)),
    ("nav_group_member", ("meet", "paths", "inbox", "mentors", "network", "profile")),
    ("nav_group_career", ("directory", "employers", "mentoring")),
    ("nav_group_analyst", ("report", "communities")),
    ("nav_group_admin", ("invite", "outbox", "sync")),
)

#: Where each role starts after signing in: its home page, what is new for it.
HOME = {M: "home", CO: "home", AN: "home", AD: "home"}

#: The pages load scripts from here and nowhere else; styles may be set by the scripts
#: (the graph library sizes its canvas inline); no frames, no plugins, no other origins.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False)


def _url(slug: str) -> str:
    return f"{WEB}/{slug}" if slug else f"{WEB}/"


def _render(
    request: Request,
    page: Page,
    lang: str,
    set_cookie: bool,
    extra: dict[str, object] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    t = strings.translator(lang)
    by_slug = {p.slug: p for p in PAGES}
    nav = [(group, [(by_slug[s], _url(s)) for s in slugs]) for group, slugs in NAV]
    asset_version = version("alumni-graph")
    response = _templates.TemplateResponse(
        request,
        f"{page.slug or 'signin'}.html",
        {
            "page": page,
            "lang": lang,
            "other_lang": "sl" if lang == "en" else "en",
            "t": t,
            "strings": strings.strings(lang),
            "nav": nav,
            "url": _url,
            "home": HOME,
            "static": lambda path: f"{WEB}/static/{path}?v={asset_version}",
            "sso": request.app.state.settings.sso_label,
            "api": API_V1,
            **(extra or {}),
        },
        status_code=status_code,
        headers={
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-cache",
        },
    )
    if set_cookie:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path=WEB, samesite="lax")
    return response


def _page_route(page: Page) -> None:
    def show(
        request: Request,
        lang: Annotated[str | None, Query(max_length=5)] = None,
        ag_lang: Annotated[str | None, Cookie(max_length=5)] = None,
        accept_language: Annotated[str | None, Header(max_length=200)] = None,
    ) -> HTMLResponse:
        chosen = strings.pick(lang, ag_lang, accept_language)
        return _render(request, page, chosen, set_cookie=lang in strings.LANGUAGES)

    show.__name__ = f"page_{page.slug or 'signin'}"
    router.add_api_route(_url(page.slug), show, methods=["GET"], response_class=HTMLResponse)


for _page in PAGES:
    _page_route(_page)


@router.get("/", response_class=RedirectResponse)
def root() -> RedirectResponse:
    """People who open the service's address land on the sign-in page."""
    return RedirectResponse(_url(""), status_code=307)


@router.get(WEB, response_class=RedirectResponse)
def web_root() -> RedirectResponse:
    return RedirectResponse(_url(""), status_code=307)


def install_web(app: FastAPI) -> None:
    """The pages and their assets (CSS, scripts, the vendored graph library)."""
    app.include_router(router)
    app.mount(f"{WEB}/static", StaticFiles(directory=_HERE / "static"), name="web-static")
