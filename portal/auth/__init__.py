"""Identity: OpenID Connect clients, the development IdP and server-side sessions."""
