from collections.abc import Iterable
from typing import Any

def zxcvbn(password: str, user_inputs: Iterable[str] | None = None) -> dict[str, Any]: ...
