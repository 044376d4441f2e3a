"""The three OpenID Connect clients (participants' eID broker, staff IdP, employers' organisation
eID), built with Authlib."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from joserfc.errors import JoseError
from starlette.requests import Request

from portal.settings import Settings


@dataclass(frozen=True)
class ClientConfig:
    name: str  # "citizen", "staff" or "employer"
    issuer: str
    client_id: str
    client_secret: str
    personal_number_claim: str  # for employers: the organisation number's claim
    acr_values: str
    callback_path: str


def client_configs(settings: Settings) -> dict[str, ClientConfig]:
    return {
        "citizen": ClientConfig(
            "citizen",
            settings.citizen_issuer,
            settings.citizen_oidc_client_id,
            settings.citizen_oidc_client_secret,
            settings.citizen_oidc_personal_number_claim,
            settings.citizen_oidc_acr_values,
            "/auth/callback",
        ),
        "staff": ClientConfig(
            "staff",
            settings.staff_issuer,
            settings.staff_oidc_client_id,
            settings.staff_oidc_client_secret,
            settings.staff_oidc_personal_number_claim,
            settings.staff_oidc_acr_values,
            "/staff/callback",
        ),
        "employer": ClientConfig(
            "employer",
            settings.employer_issuer,
            settings.employer_oidc_client_id,
            settings.employer_oidc_client_secret,
            settings.employer_oidc_organisation_claim,
            settings.employer_oidc_acr_values,
            "/employer/callback",
        ),
    }


def build_clients(
    settings: Settings, transport: Any = None
) -> dict[str, tuple[ClientConfig, StarletteOAuth2App]]:
    """Authlib clients by name; `transport` lets tests send the back channel in-process."""
    oauth = OAuth()
    clients = {}
    for name, config in client_configs(settings).items():
        kwargs: dict[str, Any] = {
            "scope": "openid profile email",
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": (
                "client_secret_basic" if config.client_secret else "none"
            ),
            "timeout": 10,
        }
        if transport is not None:
            kwargs["transport"] = transport
        client = oauth.register(
            name,
            client_id=config.client_id,
            client_secret=config.client_secret or None,
            server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
            client_kwargs=kwargs,
        )
        clients[name] = (config, client)
    return clients


# What a round trip to an identity provider can fail with (it is down, or answers nonsense).
LOGIN_ERRORS = (OAuthError, JoseError, OSError, ValueError, KeyError)


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def client_of(request: Request, kind: str) -> tuple[ClientConfig, StarletteOAuth2App]:
    config, client = request.app.state.oidc[kind]
    return config, client
