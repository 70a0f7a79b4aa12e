"""Imported once by the multiprocessing fork server: warm WeasyPrint and fonts for the workers.

Cohort workers are forked from that server, so each starts with WeasyPrint imported and
fontconfig initialised instead of paying for it again (about a second per worker).
"""

from __future__ import annotations

from tracker.statements.pdf import warm_up

warm_up()
