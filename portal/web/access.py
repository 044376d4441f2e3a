"""Who may use an endpoint, declared on the endpoint itself by the guard that wraps it, so that
the route table can be checked against the permission matrix (every route declares it; a test
tries each one as each persona)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

# Who an endpoint is for.
PUBLIC = "public"  # anyone: the login, about and trust pages, health, assets
PARTICIPANT = "participant"  # the logged-in participant's own pages and actions
STAFF = "staff"  # staff whose roles grant `permission` at `level`
EMPLOYER = "employer"  # a logged-in employer (organisation eID)
API = "api"  # an API client whose token carries the scope `permission`
TOKEN = "token"  # noqa: S105 (a kind of access, not a secret): anyone holding a secret in the address or a header (a shared CV link)


@dataclass(frozen=True)
class Access:
    """`who`; for staff the permission (or any of several) at a level, for the API a scope."""

    who: str
    permission: str | tuple[str, ...] | None = None
    level: str | None = None

    @property
    def permissions(self) -> tuple[str, ...]:
        if self.permission is None:
            return ()
        return (self.permission,) if isinstance(self.permission, str) else self.permission


def declare(endpoint: Endpoint, access: Access) -> Endpoint:
    """Mark `endpoint` as being for `access` (what the guard around it enforces)."""
    endpoint.access = access  # type: ignore[attr-defined]
    return endpoint


def public(endpoint: Endpoint) -> Endpoint:
    return declare(endpoint, Access(PUBLIC))


def by_token(endpoint: Endpoint) -> Endpoint:
    return declare(endpoint, Access(TOKEN))


def any_staff(endpoint: Endpoint) -> Endpoint:
    """Any logged-in staff user with an active authorization (the page narrows by its own rule)."""
    return declare(endpoint, Access(STAFF))


def access_of(endpoint: object) -> Access | None:
    found = getattr(endpoint, "access", None)
    return found if isinstance(found, Access) else None
