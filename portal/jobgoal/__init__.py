"""The job goal said alike in My Plan and "I am looking for a job as" (SPEC 2): the check
that reads both domains through their services, so that `plan` and `cv` need not know each
other."""
