"""The site's own pages: the language choice, keeping a session alive, health and readiness,
and "about" (the occupation list's attribution)."""
