"""Cross-cutting HTTP, importing no domain: templating and cached fragments, languages,
security headers, cross-site refusal, errors, form reading and tokens, request helpers."""
