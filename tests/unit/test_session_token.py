"""What the sessions table keeps of a cookie's token is its HMAC-SHA256 under the secret key,
for a token of a usual length (worked out once) as for a made-up long one."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from portal.auth.sessions import TOKEN_LENGTH_KEPT, token_hash


def test_the_kept_hash_is_the_tokens_hmac_under_the_key() -> None:
    for token in (secrets.token_urlsafe(32), "x" * (TOKEN_LENGTH_KEPT + 1)):
        for key in ("key-one-0123456789abcdef", "key-two-0123456789abcdef"):
            expected = hmac.new(key.encode(), token.encode(), hashlib.sha256).hexdigest()
            assert token_hash(token, key) == expected
            assert token_hash(token, key) == expected  # asked again
    assert token_hash("same", "a") != token_hash("same", "b")
