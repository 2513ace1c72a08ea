"""The pages' scripts keep one copy of what they share: the call to the API, the
"choose a member first" guard and the person card live in core.js only."""

from __future__ import annotations

import re
from pathlib import Path

from service.web import strings

JS = Path(strings.__file__).parent / "static" / "js"


def _code(text: str) -> str:
    """The script without its comments, which may speak of ``fetch()``."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return re.sub(r"^\s*//.*$", "", text, flags=re.MULTILINE)


def _scripts() -> dict[str, str]:
    return {path.name: _code(path.read_text(encoding="utf-8")) for path in sorted(JS.glob("*.js"))}


def test_only_core_calls_fetch_and_always_with_the_api_prefix() -> None:
    scripts = _scripts()
    callers = {name for name, text in scripts.items() if re.search(r"\bfetch\s*\(", text)}
    assert callers == {"core.js"}
    core = scripts["core.js"]
    assert re.search(r'^\s*const API_PREFIX = "[^"]*";', core, re.MULTILINE)
    calls = re.findall(r"\bfetch\s*\(\s*([^,]+),", core)
    assert calls and all(c.strip().startswith("API_PREFIX + ") for c in calls), calls
    for name in ("XMLHttpRequest", "sendBeacon", "EventSource"):
        assert not [n for n, text in scripts.items() if name in text], name


def test_the_member_guard_and_the_person_card_are_not_copied() -> None:
    scripts = _scripts()
    for marker in ('t("act_for_missing")', '"card person"', 't("how_to_reach"'):
        users = {name for name, text in scripts.items() if marker in text}
        assert users <= {"core.js"}, (marker, users)
    guarded = {name for name, text in scripts.items() if "requireMember()" in text} - {"core.js"}
    assert guarded == {"meet.js", "mentors.js", "network.js", "paths.js", "profile.js", "inbox.js"}
