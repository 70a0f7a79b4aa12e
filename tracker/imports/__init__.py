"""Bulk import of users and experience hours from CSV (command line and admin page)."""
