"""People, cases, consent, screening, assessment, plans, visits, closure and erasure."""
