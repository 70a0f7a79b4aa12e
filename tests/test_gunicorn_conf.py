"""The shipped gunicorn settings: a worker freezes what it loaded (tracker/gunicorn_conf.py)."""

from __future__ import annotations

import gc

from tracker import gunicorn_conf


def test_a_worker_freezes_what_it_loaded() -> None:
    gc.unfreeze()
    try:
        gunicorn_conf.post_worker_init(None)
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # the modules, app and catalogs the test process has loaded
    finally:
        gc.unfreeze()
