"""Signing statements: a PAdES signature (PDF advanced electronic signature) by pyHanko.

pyHanko is the maintained, pure-Python PDF signing library (incremental updates, PAdES
baseline profiles, used by several EU trust-service tools); it signs the bytes WeasyPrint
wrote without re-rendering them, so a PDF reader shows whether the file was changed after
issue. The key and certificate are the installation's: ``TRACKER_SIGNING_KEY`` and
``TRACKER_SIGNING_CERT`` (PEM files), else a key and self-signed certificate generated
once in the instance folder.
"""

from __future__ import annotations

import io
import os
import tempfile
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app

from tracker.timeutil import utcnow

FIELD_NAME = "TrackerStatement"
CERT_YEARS = 10


class SigningError(RuntimeError):
    """The signing key or certificate is unusable (the message names the setting)."""


def _write_once(path: Path, data: bytes) -> None:
    """Create ``path`` 0600 with ``data`` unless it exists (link(2): sibling workers agree)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)


def generate_key_and_certificate(key_path: Path, cert_path: Path, common_name: str) -> None:
    """An RSA-3072 key and a self-signed certificate for signing documents (10 years)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tracker installation"),
        ]
    )
    now = utcnow()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # The key first: a certificate is only written for a key that is in place.
    _write_once(key_path, key_pem)
    if key_path.read_bytes() == key_pem:
        _write_once(cert_path, cert.public_bytes(serialization.Encoding.PEM))


def key_paths() -> tuple[Path, Path]:
    """The signing key and certificate, generated on first use when not configured."""
    config = current_app.config
    key, cert = config.get("SIGNING_KEY"), config.get("SIGNING_CERT")
    if key or cert:
        if not (key and cert):
            raise SigningError("TRACKER_SIGNING_KEY and TRACKER_SIGNING_CERT go together")
        key_path, cert_path = Path(key), Path(cert)
        for setting, path in (("KEY", key_path), ("CERT", cert_path)):
            if not path.is_file():
                raise SigningError(f"TRACKER_SIGNING_{setting}: no such file {path}")
        return key_path, cert_path
    instance = Path(current_app.instance_path)
    key_path, cert_path = instance / "signing_key.pem", instance / "signing_cert.pem"
    if not cert_path.is_file():
        public = config.get("PUBLIC_URL") or "localhost"
        generate_key_and_certificate(key_path, cert_path, f"Tracker statements ({public})")
    return key_path, cert_path


@lru_cache(maxsize=4)
def _signer(key_path: str, cert_path: str, _stamp: tuple[float, float]) -> Any:
    from pyhanko.sign import signers

    loaded = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]  # pyHanko's own
        key_path, cert_path, key_passphrase=None
    )
    if loaded is None:
        raise SigningError(
            f"TRACKER_SIGNING_KEY/_CERT: {key_path} and {cert_path} are not a PEM key "
            "(unencrypted) and its certificate"
        )
    return _kept_key_signer()(loaded)


@lru_cache(maxsize=1)
def _kept_key_signer() -> Any:
    """pyHanko's SimpleSigner with its private key parsed once.

    SimpleSigner parses the key again for each signature, and a PDF takes two (the first
    sizes the signature's placeholder). OpenSSL checks an RSA key as it parses it: about
    120 ms for RSA-3072 here, against 2-3 ms for the signature itself. RSA (PKCS#1 v1.5, as
    our keys sign) and ECDSA keys sign with the kept key; other mechanisms go through
    pyHanko unchanged. (A class made on first use: pyHanko is imported only to sign.)"""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign import signers
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class KeptKeySigner(signers.SimpleSigner):
        def __init__(self, loaded: Any) -> None:
            super().__init__(
                signing_cert=loaded.signing_cert,
                signing_key=loaded.signing_key,
                cert_registry=loaded.cert_registry,
            )
            self.private_key = serialization.load_der_private_key(
                self.signing_key.dump(), password=None
            )

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            algorithm = mechanism.signature_algo
            key = self.private_key
            if algorithm == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            if algorithm == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
            return bytes(super().sign_raw(data, digest_algorithm))

    return KeptKeySigner


def signer() -> Any:
    key_path, cert_path = key_paths()
    stamp = (key_path.stat().st_mtime, cert_path.stat().st_mtime)
    return _signer(str(key_path), str(cert_path), stamp)


def sign_pdf(pdf: bytes, *, reason: str, location: str, name: str) -> bytes:
    """The PDF with a PAdES signature over the whole file (an incremental update)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason[:200],
        location=location[:200],
        name=name[:200],
    )
    out = signers.sign_pdf(writer, meta, signer=signer())
    return bytes(out.getbuffer())


def certificate_summary() -> dict[str, str] | None:
    """The signing certificate's name and SHA-256 fingerprint (for /verify); None before
    the first statement was signed."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    config = current_app.config
    cert_path = Path(
        config.get("SIGNING_CERT") or Path(current_app.instance_path) / "signing_cert.pem"
    )
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError):
        return None
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return {
        "subject": str(names[0].value) if names else cert.subject.rfc4514_string(),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(":").upper(),
    }
