"""Writes of settlement: visits and fee details, settling and reversing, credentials, claims by file,
manual reimbursement. Every service takes keyword arguments and runs in one transaction."""
