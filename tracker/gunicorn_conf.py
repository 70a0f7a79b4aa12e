"""gunicorn settings for Tracker (make serve: `gunicorn -c python:tracker.gunicorn_conf`).

gunicorn answers an over-long request line or header itself, with an HTML 414/431 that an
API client cannot parse. These limits let such requests through to the app (bounded: the
request line at 1 MB, a header at 64 KB), which refuses them in JSON on the API
(tracker.web.hooks: URL and header lines over 8190 bytes, more than 100 headers).
"""

limit_request_line = 0  # gunicorn then caps the line at 1 MB
limit_request_field_size = 64 * 1024
limit_request_fields = 1000
