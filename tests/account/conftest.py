from tests.notices.conftest import app, outbox, smtp_server  # noqa: F401  (the same fixtures)
