"""The respond-by settings are validated at start-up."""

from __future__ import annotations

import pytest

from core.config import ConfigError, Settings


@pytest.mark.parametrize("name", ["ROUTINE", "URGENT", "EMERGENCY"])
@pytest.mark.parametrize("hours", ["0", "-5", "2161"])
def test_respond_hours_out_of_range_refuse_to_start(name, hours):
    settings = Settings.from_env({f"HOMEWARD_REFERRAL_RESPOND_HOURS_{name}": hours})
    with pytest.raises(ConfigError, match=f"REFERRAL_RESPOND_HOURS_{name}"):
        settings.validate()


def test_defaults_and_overrides():
    assert Settings().REFERRAL_RESPOND_HOURS_ROUTINE == 120
    assert Settings().REFERRAL_RESPOND_HOURS_URGENT == 48
    assert Settings().REFERRAL_RESPOND_HOURS_EMERGENCY == 24
    settings = Settings.from_env({"HOMEWARD_REFERRAL_RESPOND_HOURS_URGENT": "12"})
    settings.validate()
    assert settings.REFERRAL_RESPOND_HOURS_URGENT == 12
