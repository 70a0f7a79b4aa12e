from typing import Any

from flask import Flask

class OAuth:
    def __init__(
        self,
        app: Flask | None = None,
        cache: Any = None,
        fetch_token: Any = None,
        update_token: Any = None,
    ) -> None: ...
    def init_app(
        self, app: Flask, cache: Any = None, fetch_token: Any = None, update_token: Any = None
    ) -> None: ...
    def register(self, name: str, overwrite: bool = False, **kwargs: Any) -> Any: ...
    def create_client(self, name: str) -> Any: ...
