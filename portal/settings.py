"""Every setting of the portal, read from PORTAL_* environment variables and documented here."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


def _url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _optional_url(name: str, value: str) -> str:
    return _url(name, value) if value else ""


def _bool(name: str, value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name} must be 1 or 0, got {value!r}")


def _minutes(name: str, value: str) -> int:
    try:
        minutes = int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number of minutes, got {value!r}") from None
    if minutes < 1:
        raise SettingsError(f"{name} must be at least 1 minute, got {value!r}")
    return minutes


def _count(name: str, value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 100_000:
        raise SettingsError(f"{name} must be a whole number from 1 to 100000, not {value!r}")
    return int(value)


def _country(name: str, value: str) -> str:
    if value.upper() not in ("SE", "DK"):
        raise SettingsError(f"{name} must be SE or DK, got {value!r}")
    return value.upper()


def _database_url(name: str, value: str) -> str:
    if not value.startswith(("sqlite", "postgresql")):
        raise SettingsError(f"{name} must be a sqlite:// or postgresql:// URL, got {value!r}")
    return value


def _smtp_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("smtp", "smtp+starttls", "smtps") or not parts.hostname:
        raise SettingsError(f"{name} must be smtp://, smtp+starttls:// or smtps://host:port")
    return value


def _text(name: str, value: str) -> str:
    return value


def _iso_date(name: str, value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"{name} must be a date like 2026-12-31, got {value!r}") from None
    return value


def _secret(name: str, value: str) -> str:
    if len(value) < 16:
        raise SettingsError(f"{name} must be at least 16 characters long")
    return value


RATE_LIMIT_KINDS = ("login", "signing", "share", "api")


def _rate_limits(name: str, value: str) -> tuple[tuple[str, int, int], ...]:
    """ "login=300/600,api=1200/60": at most 300 logins per 600 seconds, …; kinds not named
    keep their default."""
    limits = dict(DEFAULT_RATE_LIMITS)
    for part in filter(None, (p.strip() for p in value.split(","))):
        kind, _, rule = part.partition("=")
        count, _, seconds = rule.partition("/")
        if kind not in RATE_LIMIT_KINDS or not count.isascii() or not seconds.isascii():
            raise SettingsError(f"{name}: {part!r} is not kind=count/seconds ({RATE_LIMIT_KINDS})")
        try:
            limits[kind] = (int(count), int(seconds))
        except ValueError:
            raise SettingsError(f"{name}: {part!r} is not kind=count/seconds") from None
        if limits[kind][0] < 1 or not 1 <= limits[kind][1] <= 86400:
            raise SettingsError(f"{name}: {part!r} needs a count ≥ 1 and 1–86400 seconds")
    return tuple((kind, *limits[kind]) for kind in RATE_LIMIT_KINDS)


DEFAULT_RATE_LIMITS = {
    "login": (300, 600),  # login starts and returns per address: a job centre shares one
    "signing": (20, 600),  # eID signings started per user
    "share": (120, 3600),  # openings of one shared CV link
    "api": (1200, 60),  # requests per API client
}


def _optional_secret(name: str, value: str) -> str:
    return _secret(name, value) if value else ""


def setting(
    env: str, default: str | None, parse: Callable[[str, str], Any], doc: str, secret: bool = False
) -> Any:
    """Declare a setting: its variable, default (None = required), parser and meaning."""
    return field(
        metadata={"env": env, "default": default, "parse": parse, "doc": doc, "secret": secret}
    )


@dataclass(frozen=True)
class Settings:
    database_url: str = setting(
        "PORTAL_DATABASE_URL",
        f"sqlite:///{PROJECT_ROOT / 'var' / 'portal.db'}",
        _database_url,
        "Database: sqlite:///path/to/file.db (embedded) or postgresql://user@host/db.",
    )
    secret_key: str = setting(
        "PORTAL_SECRET_KEY",
        None,
        _secret,
        "Key of the HMAC under which session tokens are stored; changing it ends all sessions.",
        secret=True,
    )
    base_url: str = setting(
        "PORTAL_BASE_URL",
        "http://127.0.0.1:8000",
        _url,
        "The address users reach the portal at; https:// turns on Secure cookies.",
    )
    country: str = setting(
        "PORTAL_COUNTRY",
        "SE",
        _country,
        "SE or DK: holidays, personal-number format, occupation list, time zone.",
    )
    dev_idp: bool = setting(
        "PORTAL_DEV_IDP",
        "0",
        _bool,
        "1 switches on the development OpenID provider at /dev-idp. Never in production.",
    )
    var_dir: str = setting(
        "PORTAL_VAR_DIR",
        str(PROJECT_ROOT / "var"),
        _text,
        "Folder for the embedded database, the development IdP's signing key and the PDFs "
        "made (kept a week unread).",
    )
    pdf_processes: int = setting(
        "PORTAL_PDF_PROCESSES",
        "2",
        _count,
        "PDFs are rendered in this many separate processes; more PDFs at once wait their turn.",
    )
    participant_idle_minutes: int = setting(
        "PORTAL_PARTICIPANT_IDLE_MINUTES",
        "30",
        _minutes,
        "A participant's session ends after this many minutes without a request.",
    )
    staff_idle_minutes: int = setting(
        "PORTAL_STAFF_IDLE_MINUTES",
        "60",
        _minutes,
        "A staff user's session ends after this many minutes without a request.",
    )
    absolute_session_minutes: int = setting(
        "PORTAL_ABSOLUTE_SESSION_MINUTES",
        "720",
        _minutes,
        "Every session ends this many minutes after login, active or not.",
    )
    citizen_oidc_issuer: str = setting(
        "PORTAL_CITIZEN_OIDC_ISSUER",
        "",
        _optional_url,
        "Participants' eID broker (OpenID issuer URL, found by discovery).",
    )
    citizen_oidc_client_id: str = setting(
        "PORTAL_CITIZEN_OIDC_CLIENT_ID", "portal", _text, "Client id at the eID broker."
    )
    citizen_oidc_client_secret: str = setting(
        "PORTAL_CITIZEN_OIDC_CLIENT_SECRET",
        "",
        _text,
        "Client secret at the eID broker.",
        secret=True,
    )
    citizen_oidc_personal_number_claim: str = setting(
        "PORTAL_CITIZEN_OIDC_PERSONAL_NUMBER_CLAIM",
        "personal_number",
        _text,
        "The ID-token claim that carries the personal number.",
    )
    citizen_oidc_acr_values: str = setting(
        "PORTAL_CITIZEN_OIDC_ACR_VALUES",
        "",
        _text,
        "acr_values to ask the eID broker for (space-separated), e.g. a substantial level.",
    )
    citizen_signing_parameter: str = setting(
        "PORTAL_CITIZEN_SIGNING_PARAMETER",
        "sign_text",
        _text,
        "How a signing request carries its text to the eID broker: the authorization parameter's "
        "name, optionally `=prefix`; the value is the text in base64url, e.g. "
        "`login_hint=message:`.",
    )
    staff_oidc_issuer: str = setting(
        "PORTAL_STAFF_OIDC_ISSUER", "", _optional_url, "Staff identity provider (issuer URL)."
    )
    staff_oidc_client_id: str = setting(
        "PORTAL_STAFF_OIDC_CLIENT_ID", "portal-staff", _text, "Client id at the staff IdP."
    )
    staff_oidc_client_secret: str = setting(
        "PORTAL_STAFF_OIDC_CLIENT_SECRET",
        "",
        _text,
        "Client secret at the staff IdP.",
        secret=True,
    )
    staff_oidc_personal_number_claim: str = setting(
        "PORTAL_STAFF_OIDC_PERSONAL_NUMBER_CLAIM",
        "personal_number",
        _text,
        "The staff ID-token claim that carries the personal number.",
    )
    staff_oidc_acr_values: str = setting(
        "PORTAL_STAFF_OIDC_ACR_VALUES", "", _text, "acr_values to ask the staff IdP for."
    )
    staff_signing_parameter: str = setting(
        "PORTAL_STAFF_SIGNING_PARAMETER",
        "sign_text",
        _text,
        "How a staff signing request (an administrator's signed changes) carries its text to the "
        "staff IdP, as PORTAL_CITIZEN_SIGNING_PARAMETER does for the eID broker.",
    )
    employer_oidc_issuer: str = setting(
        "PORTAL_EMPLOYER_OIDC_ISSUER",
        "",
        _optional_url,
        "Employers' organisation eID (issuer URL): MitID Erhverv through NemLog-in in Denmark, "
        "an organisation eID broker in Sweden.",
    )
    employer_oidc_client_id: str = setting(
        "PORTAL_EMPLOYER_OIDC_CLIENT_ID",
        "portal-employer",
        _text,
        "Client id at the employers' IdP.",
    )
    employer_oidc_client_secret: str = setting(
        "PORTAL_EMPLOYER_OIDC_CLIENT_SECRET",
        "",
        _text,
        "Client secret at the employers' IdP.",
        secret=True,
    )
    employer_oidc_organisation_claim: str = setting(
        "PORTAL_EMPLOYER_OIDC_ORGANISATION_CLAIM",
        "organisation_number",
        _text,
        "The employer ID-token claim with the organisation's number (CVR or organisationsnummer; "
        "checked with its check digit).",
    )
    employer_oidc_organisation_name_claim: str = setting(
        "PORTAL_EMPLOYER_OIDC_ORGANISATION_NAME_CLAIM",
        "organisation_name",
        _text,
        "The employer ID-token claim with the organisation's name.",
    )
    employer_oidc_acr_values: str = setting(
        "PORTAL_EMPLOYER_OIDC_ACR_VALUES", "", _text, "acr_values to ask the employers' IdP for."
    )
    employer_requests_per_day: int = setting(
        "PORTAL_EMPLOYER_REQUESTS_PER_DAY",
        "20",
        _count,
        "How many contact requests one organisation may send in a day.",
    )

    smtp_url: str = setting(
        "PORTAL_SMTP_URL",
        "smtp://127.0.0.1:1025",
        _smtp_url,
        "Where the worker sends e-mail: smtp://, smtp+starttls:// or smtps://[user:pw@]host:port.",
    )
    mail_from: str = setting(
        "PORTAL_MAIL_FROM",
        "Participant portal <no-reply@portal.example>",
        _text,
        "The From address of the portal's e-mail.",
    )
    sms_sender: str = setting(
        "PORTAL_SMS_SENDER",
        "log",
        _text,
        "SMS gateway: 'log' (development: writes var/sms.log) or module:Class of a sender.",
    )
    service_owner: str = setting(
        "PORTAL_SERVICE_OWNER",
        "",
        _text,
        "The authority that runs the portal and controls its personal data, named on the privacy "
        "and accessibility pages; empty: the country's public employment service.",
    )
    service_email: str = setting(
        "PORTAL_SERVICE_EMAIL",
        "contact@portal.example",
        _text,
        "Where people write about the portal: questions, accessibility problems, personal data.",
    )
    service_phone: str = setting(
        "PORTAL_SERVICE_PHONE",
        "",
        _text,
        "The service's phone number on the contact page (empty: none shown).",
    )
    privacy_officer_email: str = setting(
        "PORTAL_PRIVACY_OFFICER_EMAIL",
        "",
        _text,
        "The data protection officer's e-mail on the privacy page (empty: PORTAL_SERVICE_EMAIL).",
    )
    accessibility_reviewed: str = setting(
        "PORTAL_ACCESSIBILITY_REVIEWED",
        "2026-12-03",
        _iso_date,
        "The day the accessibility statement was last reviewed (YYYY-MM-DD).",
    )

    access_log: bool = setting(
        "PORTAL_ACCESS_LOG",
        "1",
        _bool,
        "Write one JSON line per request to standard output (time, method, route template, "
        "status, duration, kind of user, request id; never a path, query or personal number).",
    )
    rate_limits: tuple[tuple[str, int, int], ...] = setting(
        "PORTAL_RATE_LIMITS",
        "",
        _rate_limits,
        "Limits over which a request is answered 429, as kind=count/seconds separated by commas; "
        "kinds: login (per address), signing (per user), share (per shared CV link), api (per "
        "client). Defaults: login=300/600,signing=20/600,share=120/3600,api=1200/60.",
    )
    metrics_token: str = setting(
        "PORTAL_METRICS_TOKEN",
        "",
        _optional_secret,
        "Serve /metrics (Prometheus text format) to a scraper sending 'Authorization: Bearer' "
        "with this token, at least 16 characters; empty: /metrics answers 404.",
        secret=True,
    )

    def rate_limit(self, kind: str) -> tuple[int, int]:
        """(at most how many, per how many seconds) for a kind of rate limit."""
        for name, count, seconds in self.rate_limits:
            if name == kind:
                return count, seconds
        raise KeyError(kind)

    @property
    def timezone(self) -> str:
        return "Europe/Stockholm" if self.country == "SE" else "Europe/Copenhagen"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def citizen_issuer(self) -> str:
        return self.citizen_oidc_issuer or self.dev_idp_issuer

    @property
    def staff_issuer(self) -> str:
        return self.staff_oidc_issuer or self.dev_idp_issuer

    @property
    def employer_issuer(self) -> str:
        return self.employer_oidc_issuer or self.dev_idp_issuer

    @property
    def dev_idp_issuer(self) -> str:
        return f"{self.base_url}/dev-idp" if self.dev_idp else ""

    def check(self) -> None:
        """Refuse a start that cannot log anybody in."""
        if not self.citizen_issuer:
            raise SettingsError("PORTAL_CITIZEN_OIDC_ISSUER is required unless PORTAL_DEV_IDP=1")
        if not self.staff_issuer:
            raise SettingsError("PORTAL_STAFF_OIDC_ISSUER is required unless PORTAL_DEV_IDP=1")
        if not self.employer_issuer:
            raise SettingsError("PORTAL_EMPLOYER_OIDC_ISSUER is required unless PORTAL_DEV_IDP=1")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in overrides:
                values[f.name] = overrides[f.name]
                continue
            meta = f.metadata
            raw = env.get(meta["env"], meta["default"])
            if raw is None:
                raise SettingsError(f"{meta['env']} is required: {meta['doc']}")
            values[f.name] = meta["parse"](meta["env"], raw)
        settings = cls(**values)
        settings.check()
        return settings

    def described(self) -> list[tuple[str, str, str]]:
        """(variable, shown value, meaning) for every setting; secrets masked."""
        rows = []
        for f in fields(self):
            meta = f.metadata
            value = getattr(self, f.name)
            if meta["secret"]:
                shown = "********" if value else "(not set)"
            else:
                shown = str(value) if value != "" else "(not set)"
            rows.append((meta["env"], shown, meta["doc"]))
        return rows
