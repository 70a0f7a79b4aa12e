"""The `statement` command, and a statement for every demo enrolment."""

from __future__ import annotations

import os

import pytest

from tests.statements.conftest import pdf_text
from tracker.extensions import db
from tracker.statements.models import IssuedStatement


def test_cli_writes_a_statement(app, runner, people, tmp_path):
    target = tmp_path / "casey.pdf"
    email = people["cand"].email
    result = runner.invoke(args=["statement", email, "--credential", "cfp", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert str(target) in result.output and "/verify/" in result.output
    assert "Casey O'Neil" in pdf_text(target.read_bytes())
    with app.app_context():
        issued = db.session.scalar(db.select(IssuedStatement))
        assert issued is not None and issued.issued_by_id is None
        assert issued.code in result.output


def test_a_statement_made_outside_a_request_is_in_the_candidates_language(
    app, runner, people, tmp_path
):
    """The command (and the cohort ZIP's tasks) write a Polish user's statement in Polish,
    with Polish month names and the definition's Polish titles."""
    from tracker.accounts.models import User

    with app.app_context():
        db.session.get(User, people["cand"].id).language = "pl"
        db.session.commit()
    target = tmp_path / "casey-pl.pdf"
    email = people["cand"].email
    result = runner.invoke(args=["statement", email, "--credential", "cfp", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = pdf_text(target.read_bytes())
    assert "Zaświadczenie" in text or "zaświadczenie" in text, text[:400]
    months = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca",
              "sierpnia", "września", "października", "listopada", "grudnia")  # fmt: skip
    assert any(m in text for m in months), text[:400]
    assert "Progress statement" not in text


@pytest.mark.parametrize(
    ("email_key", "credential", "output", "message"),
    [
        (None, "cfp", "ok.pdf", "no user with e-mail"),
        ("coord", "cfp", "ok.pdf", "not a candidate"),
        ("cand", "nope", "ok.pdf", "unknown credential"),
        ("cand", "cfp", "missing-dir/x.pdf", "cannot write"),
        ("cand", "cfp", ".", "cannot write"),
    ],
)
def test_cli_bad_input(app, runner, people, tmp_path, email_key, credential, output, message):
    email = people[email_key].email if email_key else "nobody@example.com"
    out = tmp_path / output
    result = runner.invoke(args=["statement", email, "--credential", credential, "-o", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(IssuedStatement)) == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_cli_unwritable_file(runner, people, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        args = ["statement", people["cand"].email, "--credential", "cfp"]
        result = runner.invoke(args=[*args, "-o", str(locked / "x.pdf")])
        assert result.exit_code != 0 and "cannot write" in result.output
    finally:
        locked.chmod(0o700)


def test_every_demo_enrolment_renders(app, runner):
    from tracker.credentials.catalog import current_catalog
    from tracker.database import writing
    from tracker.records.models import Enrolment
    from tracker.statements.operations import issue_statement
    from tracker.statements.pdf import render_pdf
    from tracker.timeutil import today

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context(), writing():
        enrolments = db.session.scalars(db.select(Enrolment)).all()
        assert len(enrolments) >= 6
        for enrolment in enrolments:
            document = issue_statement(
                None,
                enrolment.candidate,
                current_catalog(),
                enrolment.credential,
                today(),
                base_url="https://tracker.example",
                via="test",
            )
            text = pdf_text(render_pdf(document))
            assert enrolment.candidate.name in text
            assert document["content"]["credential"]["name"] in text
            assert "Verification" in text
        db.session.rollback()
