"""Hour histories (samarbetshistorik): the provider's month grid and submission (`service`),
the participant's approval and consent (`approval`), exports to ESF and statistics
(`exports`), and their handlers (participant, provider, export, API)."""
