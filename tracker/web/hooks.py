"""Per-request plumbing: one transaction per request, security headers, error pages."""

from __future__ import annotations

import logging
import time
from typing import Any, cast

from blinker import Namespace
from flask import Flask, current_app, g, has_request_context, render_template, request
from flask.sessions import SecureCookieSessionInterface
from markupsafe import escape
from werkzeug.exceptions import (
    HTTPException,
    MethodNotAllowed,
    RequestHeaderFieldsTooLarge,
    RequestURITooLarge,
    SecurityError,
)
from werkzeug.local import LocalProxy
from werkzeug.wrappers import Response

from tracker.database import write_intent
from tracker.errors import TrackerError
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.web.errors import json_error

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
log = logging.getLogger("tracker.requests")
refused = Namespace().signal("tracker.refused")
"""Sent when a request is refused with 403 (sender: the app; status and message). The
accounts layer writes it to the audit log (accounts/auth.py): web imports no domain."""
_API_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    414: "uri_too_long",
    429: "too_many_requests",
    431: "header_too_large",
}

MAX_URL_BYTES = 8190
"""Path and query; gunicorn (tracker/gunicorn_conf.py) lets longer ones through to us."""
MAX_HEADER_BYTES = 8190
"""One header line, name and value."""
MAX_HEADERS = 100


def _limits() -> None:
    """Over-long URLs and headers are refused by the app, so the API answers them in JSON."""
    environ = request.environ
    url = len(environ.get("PATH_INFO", "").encode("latin-1", "replace")) + len(
        environ.get("QUERY_STRING", "")
    )
    if url > MAX_URL_BYTES:
        raise RequestURITooLarge(_("the URL is longer than %(n)s bytes", n=MAX_URL_BYTES))
    headers = [(k, v) for k, v in environ.items() if k.startswith("HTTP_")]
    if len(headers) > MAX_HEADERS:
        raise RequestHeaderFieldsTooLarge(_("more than %(n)s headers", n=MAX_HEADERS))
    for key, value in headers:
        if len(key) - 5 + len(str(value)) + 2 > MAX_HEADER_BYTES:
            name = key[5:].replace("_", "-").title()
            raise RequestHeaderFieldsTooLarge(
                _("the %(name)s header is longer than %(n)s bytes", name=name, n=MAX_HEADER_BYTES)
            )


def _begin() -> None:
    g.request_started = time.perf_counter()
    if request.method not in SAFE_METHODS:
        g.write_token = write_intent.set(True)


def _finish(response: Response) -> Response:
    """Commit once when the request succeeded; roll back otherwise."""
    if response.status_code < 400:
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    else:
        db.session.rollback()
    return response


def _headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CSP)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint and not request.endpoint.startswith("static"):
        headers.setdefault("Cache-Control", "no-store")
    return response


def _secure_cookies(response: Response) -> Response:
    """Cookies set by extensions (remember-me) are Secure whenever we are served over HTTPS."""
    if request.is_secure:
        cookies = response.headers.getlist("Set-Cookie")
        if cookies:
            response.headers.remove("Set-Cookie")
            for cookie in cookies:
                secure = cookie if "; Secure" in cookie else cookie + "; Secure"
                response.headers.add("Set-Cookie", secure)
    return response


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return configured or (has_request_context() and request.is_secure)


def init_early(app: Flask) -> None:
    """Registered before the extensions so that it runs after their after_request hooks."""
    app.session_interface = SessionInterface()
    app.after_request(_secure_cookies)


def _teardown(_exc: BaseException | None) -> None:
    token = g.pop("write_token", None)
    if token is not None:
        write_intent.reset(token)


def _log(response: Response) -> Response:
    started = g.get("request_started")
    if started is not None:
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
    return response


def report_refusal(status: int, message: str) -> None:
    """A 403 on a page or in the API: tell whoever listens (the audit log)."""
    app = cast("LocalProxy[Flask]", current_app)._get_current_object()  # the sender connected
    refused.send(app, status=status, message=message)


def _page_error(exc: Any) -> Any:
    db.session.rollback()
    if isinstance(exc, TrackerError):
        status, message = exc.status, exc.message
    else:
        status, message = exc.code or 500, exc.description
    if status == 403:
        report_refusal(status, message)
    allow = _allowed_methods(exc)
    if request.path.startswith("/api/"):
        code = exc.code if isinstance(exc, TrackerError) else _API_CODES.get(status, "error")
        response, status = json_error(status, code, message)
        if allow:
            response.headers["Allow"] = allow
        return response, status
    titles = {
        400: _("Bad request"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Not allowed"),
        409: _("Already decided"),
        413: _("File too large"),
        414: _("Address too long"),
        431: _("Headers too large"),
        429: _("Too many attempts"),
    }
    title = titles.get(status, _("Something went wrong"))
    if status == 404:
        message = _("There is nothing here, or you are not allowed to see it.")
    else:
        message = _stock_message(message)
    page = render_template("web/error.html", title=title, message=message, status=status)
    return page, status, ({"Allow": allow} if allow else {})


def _stock_message(message: str) -> str:
    """Werkzeug's and Flask-WTF's own English descriptions, in the page's language; any
    other message (the app's, already translated where it was raised) as it is."""
    stock = {
        "The browser (or proxy) sent a request that this server could not understand.": _(
            "The browser (or proxy) sent a request that this server could not understand."
        ),
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server.": _(
            "You don't have the permission to access the requested resource. It is either "
            "read-protected or not readable by the server."
        ),
        "The method is not allowed for the requested URL.": _(
            "The method is not allowed for the requested URL."
        ),
        "The data value transmitted exceeds the capacity limit.": _(
            "The data value transmitted exceeds the capacity limit."
        ),
        "The length of the requested URL exceeds the capacity limit for this server. The "
        "request cannot be processed.": _(
            "The length of the requested URL exceeds the capacity limit for this server. The "
            "request cannot be processed."
        ),
        "This user has exceeded an allotted request count. Try again later.": _(
            "This user has exceeded an allotted request count. Try again later."
        ),
        "One or more header fields exceeds the maximum size.": _(
            "One or more header fields exceeds the maximum size."
        ),
        "The CSRF token is missing.": _("The CSRF token is missing."),
        "The CSRF session token is missing.": _("The CSRF session token is missing."),
        "The CSRF token has expired.": _("The CSRF token has expired."),
        "The CSRF token is invalid.": _("The CSRF token is invalid."),
        "The CSRF tokens do not match.": _("The CSRF tokens do not match."),
    }
    return stock.get(str(message), message)


def _untrusted_host(_exc: Any) -> Any:
    """A Host that is not trusted: answered before routing, so no template with url_for."""
    db.session.rollback()
    message = _("this server does not answer for that host name")
    if request.path.startswith("/api/"):
        return json_error(400, "bad_host", message)
    title = escape(_("Bad request"))
    body = f"<!doctype html><title>400</title><h1>400 {title}</h1><p>{escape(message)}</p>"
    return body, 400, {"Content-Type": "text/html; charset=utf-8"}


def _allowed_methods(exc: Any) -> str | None:
    """A 405 names the methods the URL takes (RFC 9110), on pages and API alike."""
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        return ", ".join(sorted(exc.valid_methods))
    return None


def init_app(app: Flask) -> None:
    app.before_request(_limits)
    app.before_request(_begin)
    app.after_request(_finish)
    app.after_request(_headers)
    app.after_request(_log)
    app.teardown_request(_teardown)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(TrackerError, _page_error)
    for code in (400, 403, 404, 405, 413, 414, 429, 431):
        app.register_error_handler(code, _page_error)

    @app.errorhandler(500)
    def _server_error(_exc: HTTPException) -> Any:
        db.session.rollback()
        if request.path.startswith("/api/"):
            return json_error(500, "server_error", "the server could not finish this request")
        return render_template(
            "web/error.html",
            title=_("Something went wrong"),
            status=500,
            message=_("The server could not finish this request. Nothing was saved."),
        ), 500
