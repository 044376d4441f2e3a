"""Hour histories (samarbetshistorik): registration, approval, consent and export."""
