"""The contract's `flask --app tracker …` commands: thin wrappers around operations."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

# The commands below say _fail/_run; commands elsewhere import them from tracker.commands.
from tracker.commands import fail as _fail
from tracker.commands import run as _run
from tracker.errors import TrackerError


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the schema (safe to run twice)."""
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo("Database is up to date.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo organization, users and records from seed/ (idempotent)."""
    from tracker.seeding import load_demo

    summary = _run(lambda: load_demo())
    click.echo(summary.text())


@click.command("create-org")
@click.argument("name")
@with_appcontext
def create_org(name: str) -> None:
    """Create an organization and print its id."""
    from tracker.accounts.operations import create_organization

    org = _run(lambda: create_organization(None, name))
    click.echo(org.id)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="candidate, mentor, coordinator or admin")
@click.option("--org", "org", default=None, help="organization id (required except for admins)")
@click.option("--password", default=None, help="unset: the user is mailed an invitation")
@with_appcontext
def create_user_cmd(
    email: str, name: str, role: str, org: str | None, password: str | None
) -> None:
    """Create a user and print their id."""
    from tracker.accounts.operations import create_user

    org_id: int | None = None
    if org is not None:
        if not org.strip().isdigit():
            _fail(f"org: {org!r} is not an organization id")
        org_id = int(org)
    user = _run(
        lambda: create_user(
            None, email=email, name=name, role=role, password=password, organization_id=org_id
        )
    )
    click.echo(user.id)


@click.command("create-token")
@click.argument("email")
@with_appcontext
def create_token(email: str) -> None:
    """Print a new API token for that user (shown once; only its hash is stored)."""
    from tracker.accounts.operations import issue_token, user_by_email

    def make() -> str:
        user = user_by_email(email)
        if user is None:
            raise TrackerError(f"email: no user with e-mail {email}")
        _token, raw = issue_token(None, user)
        return raw

    click.echo(_run(make))


@click.command("verify-audit")
@with_appcontext
def verify_audit() -> None:
    """Check the audit log's keyed hash chain and its checkpoint; exit 1 naming each tamper."""
    from tracker.audit.operations import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"Audit log intact: {report.checked} events checked.")
        return
    where = f"event {report.broken_at}" if report.broken_at is not None else "the checkpoint"
    click.echo(
        f"Audit log broken at {where}: {report.reason} "
        f"({report.checked} events before it are intact).",
        err=True,
    )
    for problem in report.problems:
        click.echo(f"- {problem}", err=True)
    sys.exit(1)


def init_app(app: Flask) -> None:
    from tracker.backup import backup_command, restore_command
    from tracker.imports.cli import import_cmd
    from tracker.notices.cli import send_reminders_cmd
    from tracker.statements.cli import statement_cmd
    from tracker.statements.pdf import warm_up
    from tracker.tasks.cli import WARM_UP, worker_cmd

    app.config.setdefault(WARM_UP, warm_up)
    commands = (init_db, seed_demo, create_org, create_user_cmd, create_token, verify_audit)
    extra = (
        statement_cmd,
        backup_command,
        restore_command,
        worker_cmd,
        send_reminders_cmd,
        import_cmd,
    )
    for command in (*commands, *extra):
        app.cli.add_command(command)
