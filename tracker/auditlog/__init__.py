"""Reading the audit log: the /audit page (blueprint "audit") and the API's queries.

The log itself (the table, writing and verifying the chain) is tracker.audit, below every
domain that writes events; reading it by role belongs up here with the pages.
"""
