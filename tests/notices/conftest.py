"""An app whose outbox is a folder of this test, and a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import _reset, make_app
from tests.live import free_port
from tracker.extensions import db


def read_outbox(folder: Path) -> list[EmailMessage]:
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for path in sorted(folder.glob("*.eml"))
    ]


@pytest.fixture()
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture()
def app(_schema: None, outbox: Path) -> Iterator[Flask]:
    app = make_app(MAIL_OUTBOX=outbox, MAIL_RETRY_DELAYS=(0.0,))
    _reset(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Received:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.logins: list[tuple[bytes, bytes]] = []

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> Any:  # fmt: skip
        from aiosmtpd.smtp import AuthResult

        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"user", b"secret"))

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        self.messages.append(
            message_from_bytes(envelope.original_content, policy=policy.default)  # type: ignore[arg-type]
        )
        return "250 OK"


@pytest.fixture()
def smtp_server() -> Iterator[tuple[int, Received]]:
    """A real SMTP server (aiosmtpd) on a loopback port, stopped after the test."""
    from aiosmtpd.controller import Controller

    handler = Received()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        ready_timeout=10,
        authenticator=handler.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()
