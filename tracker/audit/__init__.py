"""The append-only, hash-chained audit log: its table, writing and verifying the chain.

Below every domain that writes events; the page and the queries that read it by role are
in tracker.auditlog.
"""
