"""Notices: what a person is told (in the app and by mail) and when: decisions, digests of
waiting entries, reminders before due dates, lapses and cycle ends; the calendar feed."""
