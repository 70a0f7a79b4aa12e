"""Structured request logs: one JSON object per line on stderr for the `tracker.requests` logger.

Under gunicorn every worker writes its own lines to the shared stderr; a line is written in one
call, so lines from different workers do not interleave. Set TRACKER_LOG_LEVEL=WARNING to
silence the per-request lines.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import Flask

REQUEST_LOGGER = "tracker.requests"
REQUEST_FIELDS = ("method", "path", "status", "ms")


class JsonLinesFormatter(logging.Formatter):
    """Time, level, logger, message and the request fields passed as `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, separators=(",", ":"))


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is at the time (test runners swap it between tests)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(app: Flask) -> None:
    """Attach the JSON-lines handler once per process (create_app may run many times)."""
    logger = logging.getLogger(REQUEST_LOGGER)
    level_name = str(app.config.get("LOG_LEVEL") or os.environ.get("TRACKER_LOG_LEVEL") or "INFO")
    level = logging.getLevelName(level_name.upper())
    logger.setLevel(level if isinstance(level, int) else logging.INFO)
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(JsonLinesFormatter())
        logger.addHandler(handler)
    logger.propagate = False
    logger.disabled = False  # logging.config.fileConfig elsewhere may have disabled it
