"""`flask --app tracker send-reminders [--as-of DATE]` for cron."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.commands import run as _run


@click.command("send-reminders")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the day to send for (YYYY-MM-DD; default today)")  # fmt: skip
@with_appcontext
def send_reminders_cmd(as_of: object) -> None:
    """Send the reminders and digests due that day; running it twice sends nothing twice."""
    from tracker import tasks
    from tracker.notices.reminders import run_reminders
    from tracker.timeutil import today

    day: date = as_of.date() if as_of is not None else today()  # type: ignore[attr-defined]
    if current_app.config.get("REDIS_URL"):
        # Scale-out: the same task function runs on the queue; one job per day, whichever
        # cron host enqueues it first (the notices' unique key covers the rest).
        job = _run(lambda: tasks.enqueue(run_reminders, day.isoformat(),
                                         job_id=f"send-reminders-{day}",
                                         description="send reminders"))  # fmt: skip
        click.echo(f"Queued send-reminders for {day} (job {job}).")
        return
    # Cron is already the background: mail in this process before it exits.
    current_app.config["TASKS_EAGER"] = True
    counts = _run(lambda: run_reminders(day.isoformat()))
    click.echo(
        f"{day}: {counts['reminders']} reminders, {counts['digests']} digests, "
        f"{counts['retried']} mails retried."
    )
