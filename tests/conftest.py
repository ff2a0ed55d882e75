"""Shared test settings."""

from hypothesis import settings

# Property tests check behaviour, not speed: a loaded CI machine must not fail them on a deadline.
settings.register_profile("rulecheck", deadline=None)
settings.load_profile("rulecheck")
