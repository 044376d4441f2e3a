"""Settings: defaults, clear errors naming the variable, masked secrets, documented variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.settings import Settings, SettingsError

BASE = {"PORTAL_SECRET_KEY": "s" * 20, "PORTAL_DEV_IDP": "1"}


def test_defaults_serve_the_embedded_database_and_the_dev_idp() -> None:
    settings = Settings.from_env(BASE)
    assert settings.database_url.startswith("sqlite:///")
    assert settings.citizen_issuer == "http://127.0.0.1:8000/dev-idp"
    assert settings.timezone == "Europe/Stockholm"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORTAL_COUNTRY", "NO"),
        ("PORTAL_BASE_URL", "ftp://x"),
        ("PORTAL_PARTICIPANT_IDLE_MINUTES", "soon"),
        ("PORTAL_DEV_IDP", "maybe"),
        ("PORTAL_DATABASE_URL", "mysql://x"),
        ("PORTAL_SECRET_KEY", "short"),
    ],
)
def test_a_malformed_setting_is_named_in_the_error(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({**BASE, variable: value})


def test_a_missing_secret_key_is_named() -> None:
    with pytest.raises(SettingsError, match="PORTAL_SECRET_KEY"):
        Settings.from_env({"PORTAL_DEV_IDP": "1"})


def test_without_the_dev_idp_an_issuer_is_required() -> None:
    with pytest.raises(SettingsError, match="PORTAL_CITIZEN_OIDC_ISSUER"):
        Settings.from_env({"PORTAL_SECRET_KEY": "s" * 20})


def test_secrets_are_masked_when_described() -> None:
    settings = Settings.from_env({**BASE, "PORTAL_CITIZEN_OIDC_CLIENT_SECRET": "hunter2hunter2"})
    shown = {variable: value for variable, value, _doc in settings.described()}
    assert shown["PORTAL_SECRET_KEY"] == "********"
    assert shown["PORTAL_CITIZEN_OIDC_CLIENT_SECRET"] == "********"
    assert "hunter2" not in repr(settings.described())


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for variable, _value, _doc in Settings.from_env(BASE).described():
        assert variable in readme, f"{variable} is not in the README"
