from collections.abc import Sequence
from typing import Any

from flask import Flask

class Mail:
    def __init__(self, app: Flask | None = None) -> None: ...
    def init_app(self, app: Flask) -> None: ...
    def get_connection(
        self, backend: Any = None, fail_silently: bool = False, **kwds: Any
    ) -> Any: ...

class EmailMessage:
    subject: str
    body: str
    to: list[str]
    def __init__(
        self,
        subject: str = "",
        body: str = "",
        from_email: str | None = None,
        to: Sequence[str] | None = None,
        bcc: Sequence[str] | None = None,
        connection: Any = None,
        attachments: Any = None,
        headers: dict[str, str] | None = None,
        cc: Sequence[str] | None = None,
        reply_to: Sequence[str] | None = None,
    ) -> None: ...
    def message(self) -> Any: ...
    def send(self, fail_silently: bool = False) -> int: ...
    def attach(
        self, filename: Any = None, content: Any = None, mimetype: str | None = None
    ) -> None: ...

class EmailMultiAlternatives(EmailMessage):
    def attach_alternative(self, content: str, mimetype: str) -> None: ...
