"""My Plan: job and progression goals, the latest agreement and initiatives, all versioned."""
