"""`flask --app tracker import FILE.csv --kind users|experience [--org ORG_ID] [--dry-run]`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.database import writing
from tracker.errors import TrackerError
from tracker.extensions import db


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(["users", "experience"]), required=True)
@click.option("--org", "org_id", type=int, default=None, help="the organization's id")
@click.option("--dry-run", is_flag=True, help="check every row; write nothing")
@click.option(
    "--approved-by",
    "approved_by",
    default=None,
    help="experience: import as approved by this coordinator or admin (e-mail)",
)
@with_appcontext
def import_cmd(
    file: Path, kind: str, org_id: int | None, dry_run: bool, approved_by: str | None
) -> None:
    """Import users or experience hours; a file with any bad row writes nothing (exit 1)."""
    from tracker.accounts.models import Organization
    from tracker.accounts.operations import user_by_email
    from tracker.imports.operations import import_csv

    try:
        with writing():
            if org_id is not None and db.session.get(Organization, org_id) is None:
                raise click.UsageError(f"--org: organization {org_id} does not exist")
            approver = None
            if approved_by:
                approver = user_by_email(approved_by.strip().lower())
                if approver is None:
                    raise click.UsageError(f"--approved-by: no user {approved_by}")
            report = import_csv(None, kind, file.read_bytes(), org_id=org_id, approver=approver)
            if report.errors:
                db.session.rollback()
                for line in report.lines():
                    click.echo(line)
                click.echo(f"Nothing was imported: {len({e[0] for e in report.errors})} bad "
                           "row(s).", err=True)  # fmt: skip
                sys.exit(1)
            if dry_run:
                db.session.rollback()
                click.echo(f"{report.written} row(s) are good; nothing was written (--dry-run).")
                return
            db.session.commit()
    except TrackerError as exc:
        db.session.rollback()
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"Imported {report.written} {kind} row(s).")
