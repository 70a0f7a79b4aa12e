"""gunicorn settings for Tracker (make serve: `gunicorn -c python:tracker.gunicorn_conf`).

gunicorn answers an over-long request line or header itself, with an HTML 414/431 that an
API client cannot parse. These limits let such requests through to the app (bounded: the
request line at 1 MB, a header at 64 KB), which refuses them in JSON on the API
(tracker.web.hooks: URL and header lines over 8190 bytes, more than 100 headers).

Each worker, once it has loaded the app, moves everything loaded so far (modules, the
definitions, templates, catalogs of messages: about 175,000 objects) out of the garbage
collector's reach with gc.freeze(). They live as long as the worker anyway; otherwise each
full collection walks them all again, and a request that happens to trigger one took
60-130 ms longer (measured on the bench's pages; see docs/performance.md).
"""

import gc
from typing import Any

limit_request_line = 0  # gunicorn then caps the line at 1 MB
limit_request_field_size = 64 * 1024
limit_request_fields = 1000


def post_worker_init(worker: Any) -> None:
    gc.collect()
    gc.freeze()
