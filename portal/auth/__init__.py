"""Identity: the OpenID Connect clients (participant, staff), the development IdP, server-side
sessions, eID signing, API clients and their bearer tokens, and the guards: who is asking
(`guards`) and a staff user acting on one participant (`acting`)."""
