"""Shared values of the mentoring tests."""

from __future__ import annotations

#: The day the tests run on, so that which mentorships still run never depends on the clock.
TODAY = "2025-06-15"

MENTOR = {"role": "alumnus", "open_to_mentor": True, "mentor_capacity": 2}
