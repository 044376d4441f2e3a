"""The development OpenID provider: a real OIDC issuer inside the portal, for demo personas.

Only mounted when PORTAL_DEV_IDP=1. It speaks the authorization-code flow with PKCE (S256),
signs ID tokens with an RS256 key kept in the var folder, and with a known `login_hint` signs
that persona in without showing a page, so scripts and tests can log in over plain HTTP.

A request with `sign_text` (base64url) is a signing request: the IdP shows the text and a Sign
button (or, with a known `login_hint`, signs at once) and puts the text's SHA-256 in the ID
token as `sign_text_sha256`, with `auth_time` set to the moment of signing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from sqlalchemy import update
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal.auth.models import DevIdpCode
from portal.auth.personas import PERSONAS, Persona, persona_of
from portal.auth.sessions import token_hash
from portal.db import Database, utcnow
from portal.participants.service import normalise_personal_number
from portal.settings import Settings
from portal.web.templating import pages

CODE_LIFETIME = dt.timedelta(seconds=60)
TOKEN_LIFETIME_SECONDS = 300
DEFAULT_ACR = "urn:portal:dev:substantial"


def load_or_create_key(path: Path) -> RSAKey:
    """The IdP's signing key: made once, then read by every process that serves the IdP."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
        key.ensure_kid()
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(key.as_dict(private=True)))
        temporary.chmod(0o600)
        try:
            os.link(temporary, path)  # atomic: the first process to finish wins
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return RSAKey.import_key(json.loads(path.read_text()))


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def decode_sign_text(value: str) -> str | None:
    """The text of a signing request: UTF-8 in base64url, padding optional."""
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def signed_text_claim(record: DevIdpCode) -> dict[str, str]:
    return {"sign_text_sha256": record.sign_text_sha256} if record.sign_text_sha256 else {}


class DevIdp:
    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.issuer = settings.dev_idp_issuer
        self.key = load_or_create_key(Path(settings.var_dir) / "dev-idp-key.json")
        # Clients of this IdP: the portal's own two, whichever of them point here.
        # By client id: its secret, the claim of the personal number, and whose client it is.
        self.clients: dict[str, tuple[str, str, str]] = {}
        if settings.citizen_issuer == self.issuer:
            self.clients[settings.citizen_oidc_client_id] = (
                settings.citizen_oidc_client_secret,
                settings.citizen_oidc_personal_number_claim,
                "participant",
            )
        if settings.staff_issuer == self.issuer:
            self.clients[settings.staff_oidc_client_id] = (
                settings.staff_oidc_client_secret,
                settings.staff_oidc_personal_number_claim,
                "staff",
            )
        if settings.employer_issuer == self.issuer:
            self.clients[settings.employer_oidc_client_id] = (
                settings.employer_oidc_client_secret,
                settings.employer_oidc_organisation_claim,
                "employer",
            )

    def routes(self) -> list[Route]:
        return [
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/jwks", self.jwks),
            Route("/authorize", self.authorize, methods=["GET", "POST"]),
            Route("/token", self.token, methods=["POST"]),
            Route("/userinfo", self.userinfo, methods=["GET", "POST"]),
            Route("/end-session", self.end_session),
        ]

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/end-session",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                    "none",
                ],
                "scopes_supported": ["openid", "profile", "email"],
                "claims_supported": [
                    "sub",
                    "name",
                    "given_name",
                    "family_name",
                    "email",
                    "acr",
                    "auth_time",
                    *sorted({claim for _secret, claim, _kind in self.clients.values()}),
                    self.settings.employer_oidc_organisation_name_claim,
                ],
                "acr_values_supported": [DEFAULT_ACR],
                "claims_parameter_supported": False,
                "prompt_values_supported": ["login"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    def _redirect_allowed(self, redirect_uri: str) -> bool:
        return redirect_uri.startswith(self.settings.base_url + "/")

    async def authorize(self, request: Request) -> Response:
        if request.method == "POST":
            async with request.form() as form:
                params = {k: str(v) for k, v in form.items()}
        else:
            params = dict(request.query_params)
        client_id = params.get("client_id", "")
        redirect_uri = params.get("redirect_uri", "")
        if client_id not in self.clients or not self._redirect_allowed(redirect_uri):
            return pages(request).render(
                request, "dev_idp/error.html", {"client_id": client_id}, status_code=400
            )

        def error(code: str) -> Response:
            query = {"error": code, "state": params.get("state", ""), "iss": self.issuer}
            return RedirectResponse(f"{redirect_uri}?{urlencode(query)}", status_code=303)

        if params.get("response_type") != "code":
            return error("unsupported_response_type")
        if "openid" not in params.get("scope", "").split():
            return error("invalid_scope")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return error("invalid_request")
        sign_text = None
        if params.get("sign_text"):
            sign_text = decode_sign_text(params["sign_text"])
            if sign_text is None:
                return error("invalid_request")
            if params.get("cancel"):
                return error("access_denied")
        kind = self.clients[client_id][2]
        persona = self.persona(params.get("login_hint", ""), kind)
        if persona is None and sign_text is not None:
            return pages(request).render(
                request,
                "dev_idp/sign.html",
                {
                    "params": {k: v for k, v in params.items() if k != "login_hint"},
                    "text": sign_text,
                    "signer": self._persona_of_token(params.get("id_token_hint", "")),
                    "personas": [p for p in PERSONAS if p.kind == kind],
                },
            )
        if persona is None:
            return pages(request).render(
                request,
                "dev_idp/picker.html",
                {
                    "params": {k: v for k, v in params.items() if k != "login_hint"},
                    "personas": [
                        p for p in PERSONAS if (p.kind == "employer") == (kind == "employer")
                    ],
                    "by_personal_number": kind != "employer",
                    "unknown_hint": params.get("login_hint"),
                },
            )
        code = secrets.token_urlsafe(32)
        requested_acr = params.get("acr_values", "").split()
        async with self.database.transaction() as db:
            db.add(
                DevIdpCode(
                    code_hash=token_hash(code, self.settings.secret_key),
                    client_id=client_id,
                    redirect_uri=redirect_uri,
                    persona=persona.id,
                    nonce=params.get("nonce"),
                    code_challenge=params["code_challenge"],
                    acr=requested_acr[0] if requested_acr else DEFAULT_ACR,
                    sign_text_sha256=hashlib.sha256(sign_text.encode()).hexdigest()
                    if sign_text is not None
                    else None,
                    created_at=utcnow(),
                )
            )
        query = {"code": code, "state": params.get("state", ""), "iss": self.issuer}
        return RedirectResponse(f"{redirect_uri}?{urlencode(query)}", status_code=303)

    def persona(self, hint: str, kind: str | None = None) -> Persona | None:
        """A persona by id, or anyone by a valid personal number of the deployment's country;
        for a client of `kind`, only people that client logs in (employers, or the others)."""
        hint = hint.removeprefix("pnr:")
        number = (
            normalise_personal_number(self.settings.country, hint) if hint[:1].isdigit() else None
        )
        found = persona_of(hint, self.settings.country, number)
        if found is None or kind is None:
            return found
        return found if (found.kind == "employer") == (kind == "employer") else None

    def _persona_of_token(self, token: str) -> Persona | None:
        """Who an ID token this IdP issued names (the signer of a signing request)."""
        if not token:
            return None
        try:
            claims = jwt.decode(token, self.key).claims
        except (JoseError, ValueError):
            return None
        return self.persona(str(claims.get("dev_persona", "")))

    def _client_credentials(self, request: Request, form: dict[str, str]) -> tuple[str, str]:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except (ValueError, UnicodeDecodeError):
                return "", ""
            client_id, _, secret = decoded.partition(":")
            return unquote(client_id), unquote(secret)
        return form.get("client_id", ""), form.get("client_secret", "")

    async def token(self, request: Request) -> Response:
        async with request.form() as raw:
            form = {k: str(v) for k, v in raw.items()}

        def refuse(error: str, status: int = 400) -> Response:
            return JSONResponse({"error": error}, status_code=status)

        if form.get("grant_type") != "authorization_code":
            return refuse("unsupported_grant_type")
        client_id, secret = self._client_credentials(request, form)
        if client_id not in self.clients:
            return refuse("invalid_client", 401)
        expected_secret, claim, _kind = self.clients[client_id]
        if expected_secret and not hmac.compare_digest(secret, expected_secret):
            return refuse("invalid_client", 401)
        now = utcnow()
        async with self.database.transaction() as db:
            record = await db.get(
                DevIdpCode, token_hash(form.get("code", ""), self.settings.secret_key)
            )
            if (
                record is None
                or record.used_at is not None
                or now - record.created_at > CODE_LIFETIME
                or record.client_id != client_id
                or record.redirect_uri != form.get("redirect_uri")
                or record.code_challenge is None
                or not hmac.compare_digest(
                    s256(form.get("code_verifier", "")), record.code_challenge
                )
            ):
                return refuse("invalid_grant")
            # Single use even when two token requests race: only one UPDATE finds it unused.
            used = await db.execute(
                update(DevIdpCode)
                .where(DevIdpCode.code_hash == record.code_hash, DevIdpCode.used_at.is_(None))
                .values(used_at=now)
            )
            if getattr(used, "rowcount", 0) != 1:
                return refuse("invalid_grant")
        persona = self.persona(record.persona)
        if persona is None:
            return refuse("invalid_grant")
        issued = int(time.time())
        claims = self._identity_claims(persona, claim)
        id_token = self._sign(
            {
                **claims,
                "iss": self.issuer,
                "aud": client_id,
                "iat": issued,
                "exp": issued + TOKEN_LIFETIME_SECONDS,
                "auth_time": int(record.created_at.timestamp()),
                "nonce": record.nonce,
                "acr": record.acr,
                "amr": ["pwd"],
                "dev_persona": persona.id,
                **(
                    {"sign_text_sha256": record.sign_text_sha256} if record.sign_text_sha256 else {}
                ),
            }
        )
        access_token = self._sign(
            {
                "iss": self.issuer,
                "sub": claims["sub"],
                "aud": f"{self.issuer}/userinfo",
                "client_id": client_id,
                "dev_persona": persona.id,
                "iat": issued,
                "exp": issued + TOKEN_LIFETIME_SECONDS,
            }
        )
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME_SECONDS,
                "id_token": id_token,
                "scope": "openid profile email",
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    def _identity_claims(self, persona: Persona, claim: str) -> dict[str, Any]:
        subject = hashlib.sha256(f"{self.issuer}|{persona.id}".encode()).hexdigest()[:32]
        claims = {
            "sub": subject,
            "name": persona.name,
            "given_name": persona.given_name,
            "family_name": persona.family_name,
            "email": persona.email,
        }
        if persona.organisations is not None:
            # As MitID Erhverv and organisation eIDs do: the organisation, no personal number.
            number, name = persona.organisations[self.settings.country]
            claims[claim] = number
            claims[self.settings.employer_oidc_organisation_name_claim] = name
        else:
            claims[claim] = persona.personal_number(self.settings.country)
        return claims

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode({"alg": "RS256", "kid": self.key.kid, "typ": "JWT"}, claims, self.key)

    async def userinfo(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        unauthorized = JSONResponse(
            {"error": "invalid_token"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
        if not header.lower().startswith("bearer "):
            return unauthorized
        try:
            token = jwt.decode(header[7:], self.key)
        except (JoseError, ValueError):
            return unauthorized
        claims = token.claims
        if claims.get("aud") != f"{self.issuer}/userinfo" or claims.get("exp", 0) < time.time():
            return unauthorized
        client = self.clients.get(claims.get("client_id", ""))
        persona = self.persona(str(claims.get("dev_persona", "")))
        if persona is None:
            return unauthorized
        identity = self._identity_claims(persona, client[1] if client else "personal_number")
        if identity["sub"] != claims.get("sub"):
            return unauthorized
        return JSONResponse(identity)

    async def end_session(self, request: Request) -> Response:
        target = request.query_params.get("post_logout_redirect_uri", "")
        if not self._redirect_allowed(target):
            target = self.settings.base_url + "/"
        state = request.query_params.get("state")
        if state:
            target = f"{target}{'&' if '?' in target else '?'}{urlencode({'state': state})}"
        return RedirectResponse(target, status_code=303)
