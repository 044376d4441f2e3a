"""Provider reports and the approval module: implementation plans, monthly and final reports,
the reviewers' decisions and the status board."""
