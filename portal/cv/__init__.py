"""CVs: "I am looking for a job as" (My CV and the presentation CV come next)."""
