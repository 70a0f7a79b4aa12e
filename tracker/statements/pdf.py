"""Rendering statements: plain data → HTML (Jinja, autoescaped) → PDF/UA-1 (WeasyPrint).

The one module that imports WeasyPrint, and only inside its functions, so that the app
starts without loading it. The renderer fetches nothing from the network and no file
outside the static folder (see StaticOnlyFetcher).
"""

from __future__ import annotations

import mimetypes
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app

from tracker.filenames import ascii_slug

PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF for screen-reader users (see docs/statements.md for why not PDF/A)."""

TEMPLATE = "statements/statement.html"


class FetchRefused(ValueError):
    """The statement renderer may not load this URL."""


def static_root() -> Path:
    return Path(current_app.static_folder or "").resolve()


def make_fetcher(root: Path) -> Any:
    """A WeasyPrint URL fetcher that serves data: URLs and files inside `root`, nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.root = root.resolve()

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise FetchRefused(f"statements load no {scheme or 'relative'} URLs: {url}")
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                raise FetchRefused(f"statements load no remote files: {url}")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(self.root) or not path.is_file():
                raise FetchRefused(f"statements load only files of the static folder: {url}")
            mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), headers={"Content-Type": mimetype}
            )

    return StaticOnlyFetcher()


def qr_data_uri(url: str) -> str:
    import segno

    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#14213d"))


def render_html(document: dict[str, Any]) -> str:
    """The statement's HTML from plain data (the app's Jinja environment: autoescape on)."""
    verification = dict(document["verification"])
    verification["qr"] = qr_data_uri(verification["url"])
    issued = datetime.fromisoformat(verification["issued_at"])
    verification["issued_display"] = issued.strftime("%d %b %Y, %H:%M UTC")
    template = current_app.jinja_env.get_template(TEMPLATE)
    return template.render(doc=document["content"], verification=verification)


def html_to_pdf(html: str, root: Path | None = None) -> bytes:
    """WeasyPrint alone: HTML (its relative URLs resolved in the static folder) → PDF/UA-1."""
    from weasyprint import HTML

    base = root if root is not None else static_root()
    pdf = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=make_fetcher(base))
    result = pdf.write_pdf(pdf_variant=PDF_VARIANT)
    assert isinstance(result, bytes)
    return result


def warm_up() -> None:
    """What every statement's first rendering in a process would do once (a queue worker
    runs this before it forks a process per task, so each task starts with it done): the
    statement's template compiled, the definitions loaded, the signing key read, and
    WeasyPrint with the statement's stylesheet, fonts and PDF/UA variant (its font
    subsetting included). In a fork these took about 0.3 s of each task's first statement."""
    from tracker.credentials.catalog import current_catalog
    from tracker.statements.signing import signer

    current_catalog()
    signer()
    current_app.jinja_env.get_template(TEMPLATE)
    html_to_pdf(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>warm-up</title>'
        '<link rel="stylesheet" href="css/statement.css"></head><body><main><h1>a</h1>'
        "<p>b <b>c</b> <i>d</i></p><table><tr><th>e</th><td>f</td></tr></table></main>"
        "</body></html>"
    )


def render_pdf(document: dict[str, Any]) -> bytes:
    """The statement as PDF/UA-1, signed with the installation's key (statements.signing)."""
    from tracker.statements.signing import sign_pdf

    verification = document["verification"]
    return sign_pdf(
        html_to_pdf(render_html(document)),
        reason=f"Progress statement {verification['code']}, issued by {verification['issued_by']}",
        location=verification["url"],
        name="Tracker",
    )


def filename_for(document: dict[str, Any]) -> str:
    """e.g. statement-zofia-nowak-zolkiewska-cfp-2026-11-26.pdf (transliterated ASCII)."""
    content = document["content"]
    name = ascii_slug(content["candidate"]["name"], "candidate")
    return f"statement-{name}-{content['credential']['id']}-{content['as_of']}.pdf"
