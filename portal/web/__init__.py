"""Cross-cutting HTTP: templating, languages, security headers, cross-site refusal, errors."""
