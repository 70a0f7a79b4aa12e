"""`flask --app tracker statement EMAIL --credential ID -o FILE.pdf`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.accounts.models import Role
from tracker.commands import fail, run


@click.command("statement")
@click.argument("email")
@click.option("--credential", required=True, help="credential id, e.g. cfp")
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=Path))
@with_appcontext
def statement_cmd(email: str, credential: str, output: Path) -> None:
    """Write that candidate's progress statement (recorded, verifiable) to a PDF file."""
    from tracker.accounts.operations import user_by_email
    from tracker.credentials.catalog import current_catalog
    from tracker.errors import NotFoundError, ValidationError
    from tracker.i18n import as_user
    from tracker.statements.operations import issue_statement
    from tracker.statements.pdf import render_pdf
    from tracker.timeutil import today

    catalog = current_catalog()
    if catalog.get(credential) is None:
        known = ", ".join(sorted(catalog.definitions)) or "none loaded"
        fail(f"credential: unknown credential {credential!r} (known: {known})")
    parent = output.resolve().parent
    if output.is_dir():
        fail(f"output: cannot write {output}: it is a directory")
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        fail(f"output: cannot write {output}: no writable folder {parent}")
    if output.exists() and not os.access(output, os.W_OK):
        fail(f"output: cannot write {output}")
    base_url = current_app.config.get("PUBLIC_URL") or os.environ.get(
        "TRACKER_PUBLIC_URL", "http://localhost:5000"
    )

    def issue() -> tuple[dict[str, Any], bytes]:
        candidate = user_by_email(email)
        if candidate is None:
            raise NotFoundError(f"email: no user with e-mail {email}")
        if candidate.role is not Role.CANDIDATE:
            raise ValidationError("email", f"{email} is not a candidate ({candidate.role.value})")
        with as_user(candidate):  # in the candidate's language and zone
            document = issue_statement(
                None, candidate, catalog, credential, today(), base_url=base_url, via="cli"
            )
            pdf = render_pdf(document)
        try:
            output.write_bytes(pdf)
        except OSError as exc:
            raise ValidationError("output", f"cannot write {output}: {exc.strerror}") from exc
        return document, pdf

    document, pdf = run(issue)
    verification = document["verification"]
    click.echo(
        f"Wrote {output} ({len(pdf):,} bytes): statement {verification['code']}, "
        f"verify at {verification['url']}"
    )
