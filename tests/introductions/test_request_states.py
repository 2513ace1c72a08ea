"""The introduction request's state machine (graph.intro_requests), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.intro_requests import (
    EXPIRY_DAYS,
    FINAL,
    MAX_OPEN_MENTORING,
    MAX_OPEN_PER_REQUESTER,
    Action,
    Kind,
    Refused,
    State,
    act,
    check_new,
    check_new_mentoring,
    effective,
    from_record,
    new_request,
    to_record,
    validate_mentoring,
    validate_note,
    validate_path,
    view_for,
)

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
PATH = ("ana", "bor", "cene", "dan")  # requester, two brokers, target


def test_one_hop_at_a_time_to_acceptance() -> None:
    r = new_request("ir1", PATH, "Hello", T0)
    assert r.waiting_on == "bor"
    assert view_for(r, "cene", T0) is None and view_for(r, "dan", T0) is None
    r = act(r, "bor", Action.ACCEPT, T0 + timedelta(days=1), note="Meet Ana")
    assert r.waiting_on == "cene" and r.state is State.OPEN
    assert view_for(r, "dan", T0) is None  # not reached yet
    r = act(r, "cene", Action.ACCEPT, T0 + timedelta(days=2))
    target = view_for(r, "dan", T0 + timedelta(days=2))
    assert target is not None and target.waiting_on == "dan" and target.exchange is None
    assert target.notes == (("bor", "Meet Ana"),)
    with pytest.raises(Refused) as e:
        act(r, "ana", Action.ACCEPT, T0 + timedelta(days=2))
    assert e.value.kind == "conflict"
    r = act(r, "dan", Action.ACCEPT, T0 + timedelta(days=3))
    assert r.state is State.ACCEPTED
    assert view_for(r, "ana", T0 + timedelta(days=3)).exchange == ("ana", "dan")
    assert view_for(r, "dan", T0 + timedelta(days=3)).exchange == ("dan", "ana")
    assert view_for(r, "bor", T0 + timedelta(days=3)).exchange is None


def test_a_decline_is_not_now_to_the_requester_and_unknown_to_the_target() -> None:
    r = new_request("ir1", PATH, "Hello", T0)
    r = act(r, "bor", Action.DECLINE, T0 + timedelta(hours=1), note="Busy till June")
    asked = view_for(r, "ana", T0 + timedelta(hours=1))
    assert asked.state == "not_now" and asked.note_to_requester == "Busy till June"
    assert view_for(r, "bor", T0 + timedelta(hours=1)).state == "declined"
    assert view_for(r, "dan", T0 + timedelta(hours=1)) is None


def test_the_targets_decline_carries_no_reason_to_the_requester() -> None:
    r = new_request("ir1", ("ana", "bor", "dan"), "Hello", T0)
    r = act(r, "bor", Action.ACCEPT, T0)
    r = act(r, "dan", Action.DECLINE, T0, note="I would rather not")
    seen = view_for(r, "ana", T0)
    assert seen.state == "not_now" and seen.note_to_requester is None
    assert view_for(r, "bor", T0).state == "not_now"


def test_expiry_after_fourteen_days_of_the_last_ask() -> None:
    r = new_request("ir1", PATH, "Hello", T0)
    r = act(r, "bor", Action.ACCEPT, T0 + timedelta(days=10))
    assert effective(r, T0 + timedelta(days=10 + EXPIRY_DAYS) - timedelta(seconds=1)).state is State.OPEN
    later = T0 + timedelta(days=10 + EXPIRY_DAYS)
    assert effective(r, later).state is State.EXPIRED
    assert view_for(r, "ana", later).state == "not_now"
    with pytest.raises(Refused):
        act(r, "cene", Action.ACCEPT, later)


def test_withdraw_only_by_the_requester_while_open() -> None:
    r = new_request("ir1", PATH, "Hello", T0)
    with pytest.raises(Refused):
        act(r, "bor", Action.WITHDRAW, T0)
    r = act(r, "ana", Action.WITHDRAW, T0)
    assert r.state is State.WITHDRAWN
    with pytest.raises(Refused):
        act(r, "ana", Action.WITHDRAW, T0)


def test_a_broker_no_longer_open_ends_the_request_as_not_now() -> None:
    r = new_request("ir1", PATH, "Hello", T0)
    r = act(r, "bor", Action.ACCEPT, T0, next_open=False)
    assert r.state is State.DECLINED
    assert view_for(r, "ana", T0).state == "not_now"
    assert view_for(r, "cene", T0) is None


def test_limits_and_the_thirty_days_after_a_decline() -> None:
    ok = {
        "open_by_requester": 0,
        "broker_asked_this_week": 0,
        "broker_weekly": None,
        "last_decline": None,
        "now": T0,
    }
    check_new(PATH, **ok)
    with pytest.raises(Refused, match="most at once") as e:
        check_new(PATH, **{**ok, "open_by_requester": MAX_OPEN_PER_REQUESTER})
    assert e.value.kind == "limit"
    with pytest.raises(Refused, match="at most 3 introduction requests a week"):
        check_new(PATH, **{**ok, "broker_asked_this_week": 3})
    check_new(PATH, **{**ok, "broker_asked_this_week": 3, "broker_weekly": 4})
    with pytest.raises(Refused, match="at most 0"):
        check_new(PATH, **{**ok, "broker_weekly": 0})
    with pytest.raises(Refused, match="30 days") as e:
        check_new(PATH, **{**ok, "last_decline": T0 - timedelta(days=29)})
    assert e.value.kind == "conflict"
    check_new(PATH, **{**ok, "last_decline": T0 - timedelta(days=30)})


def test_path_and_note_checks_name_the_problem() -> None:
    with pytest.raises(Refused, match="3 to 5 members"):
        validate_path(["ana", "dan"], "ana")
    with pytest.raises(Refused, match="starts with the member who asks"):
        validate_path(["bor", "ana", "dan"], "ana")
    with pytest.raises(Refused, match="once"):
        validate_path(["ana", "bor", "ana"], "ana")
    with pytest.raises(Refused, match="required"):
        validate_note("   ")
    with pytest.raises(Refused, match="501 characters"):
        validate_note("x" * 501)
    assert validate_note(" hi ") == "hi"


MEMBERS = ("ana", "bor", "cene", "dan", "eva")
steps = st.lists(
    st.tuples(
        st.sampled_from(MEMBERS), st.sampled_from(list(Action)), st.integers(min_value=0, max_value=20 * 24)
    ),
    max_size=12,
)


MENTORING = ("ana", "dan")  # mentee, mentor


@pytest.mark.parametrize(("path", "kind"), [(PATH, Kind.INTRODUCTION), (MENTORING, Kind.MENTORING)])
@settings(max_examples=300, deadline=None)
@given(actions=steps)
def test_random_actions_never_reach_an_illegal_state(path: tuple, kind: Kind, actions: list) -> None:
    """Whoever does whatever, on an introduction's path or a mentoring request's: the hop
    only moves forward along the path, a final state is final, contacts move only after
    the last one's yes, and nobody off the path (or not yet reached) is shown the request."""
    r = new_request("ir1", path, "Hello", T0, kind=kind)
    last = len(path) - 1
    now = T0
    target_accepted = False
    for actor, action, hours in actions:
        now = now + timedelta(hours=hours)
        before = effective(r, now)
        try:
            r = act(r, actor, action, now)
        except Refused as exc:
            assert exc.kind in ("missing", "conflict")
            r = before
            continue
        assert before.state is State.OPEN
        assert r.hop >= before.hop and r.hop <= last
        if r.state is State.ACCEPTED:
            assert actor == path[-1] and before.hop == last
            target_accepted = True
        if before.state in FINAL:
            raise AssertionError("a final state changed")
        for member in MEMBERS:
            view = view_for(r, member, now)
            if member not in path:
                assert view is None
            if view is not None:
                assert view.kind == kind.value
            if view is not None and view.exchange is not None:
                assert target_accepted and member in (path[0], path[-1])
            if member == path[-1] and view is not None:
                assert view.state != "not_now" or r.state is State.EXPIRED
                assert r.hop == last


def test_a_mentoring_request_is_the_same_machine_on_a_path_of_two() -> None:
    r = new_request("mr1", MENTORING, "Teach me graphs", T0, kind=Kind.MENTORING)
    assert r.waiting_on == "dan"
    assert view_for(r, "dan", T0).role == "mentor" and view_for(r, "ana", T0).role == "mentee"
    declined = act(r, "dan", Action.DECLINE, T0, note="Full until June")
    seen = view_for(declined, "ana", T0)
    assert seen.state == "not_now" and seen.note_to_requester == "Full until June"
    assert view_for(declined, "dan", T0).state == "declined"
    accepted = act(r, "dan", Action.ACCEPT, T0)
    assert accepted.state is State.ACCEPTED
    assert view_for(accepted, "ana", T0).exchange == ("ana", "dan")
    assert from_record(to_record(accepted)) == accepted
    with pytest.raises(Refused, match="is you"):
        validate_mentoring("ana", "ana")


def test_mentoring_limits() -> None:
    ok = {"open_by_mentee": 0, "mentoring_now": 0, "capacity": 1, "last_decline": None, "now": T0}
    check_new_mentoring("dan", **ok)
    with pytest.raises(Refused, match="3 open mentoring requests") as e:
        check_new_mentoring("dan", **{**ok, "open_by_mentee": MAX_OPEN_MENTORING})
    assert e.value.kind == "limit"
    with pytest.raises(Refused, match="dan is at capacity \\(mentoring 2 of 2\\)") as e:
        check_new_mentoring("dan", **{**ok, "mentoring_now": 2, "capacity": 2})
    assert e.value.kind == "conflict"
    with pytest.raises(Refused, match="30 days"):
        check_new_mentoring("dan", **{**ok, "last_decline": T0 - timedelta(days=29)})
