"""Form helpers: one-time tokens so that a double-clicked submit creates one record."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.web.models import FormSubmission


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


async def claim_form_token(db: AsyncSession, token: str) -> bool:
    """True for the first submit with this token; False for a repeat (or no token).

    Call inside the transaction that writes the record: the token's primary key makes a racing
    second submit fail at commit, so exactly one of them writes.
    """
    if not token or len(token) > 64:
        return False
    if await db.scalar(select(FormSubmission.token).where(FormSubmission.token == token)):
        return False
    db.add(FormSubmission(token=token))
    await db.flush()
    return True
