"""HTML to PDF with WeasyPrint, allowed to read only our own static files and data: URIs.

A document is rendered one copy per recipient (each joint tenant gets their own, in
their own print size), each copy numbering its own pages, and the copies are joined
into one PDF. The stylesheet and the fonts are parsed once per process.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

STATIC_ROOT_FOR_PDFS = Path(settings.BASE_DIR, "static")
# The only folders a document may read: our fonts and our PDF stylesheets and images.
ALLOWED_ROOTS = (STATIC_ROOT_FOR_PDFS / "fonts", STATIC_ROOT_FOR_PDFS / "pdf")
STYLESHEET = STATIC_ROOT_FOR_PDFS / "pdf" / "documents.css"


class ResourceRefused(FatalURLFetchingError):
    """A document tried to load something from outside our own static files."""


class StaticOnlyURLFetcher(URLFetcher):
    """Lets WeasyPrint read `data:` URIs and files under ALLOWED_ROOTS, nothing else.

    A letter is built from officers' and tenants' words; even with autoescaping on,
    the renderer must never reach the network (the cloud metadata address, an
    intranet) or the server's own files. Refusals stop the render with a clear error
    rather than leaving a silent gap in a legal document.
    """

    def __init__(self, roots: tuple[Path, ...] = ALLOWED_ROOTS) -> None:
        super().__init__(allowed_protocols=("data", "file"), fail_on_errors=True)
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
                )
        raise ResourceRefused(
            f"A document may only use the service's own fonts, stylesheets and images; "
            f"it tried to load {url[:120]}"
        )


_cache = threading.local()


def _shared() -> tuple[StaticOnlyURLFetcher, FontConfiguration, CSS]:
    """The fetcher, font configuration and parsed stylesheet, once per thread."""
    if not hasattr(_cache, "css"):
        _cache.fetcher = StaticOnlyURLFetcher()
        _cache.fonts = FontConfiguration()
        _cache.css = CSS(
            filename=str(STYLESHEET), font_config=_cache.fonts, url_fetcher=_cache.fetcher
        )
    return _cache.fetcher, _cache.fonts, _cache.css


def html_to_document(html: str):
    """Lay out one HTML copy (a weasyprint Document)."""
    fetcher, fonts, css = _shared()
    return HTML(string=html, base_url=STYLESHEET.parent.as_uri() + "/", url_fetcher=fetcher).render(
        stylesheets=[css], font_config=fonts
    )


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    checksum: str
    copy_page_counts: tuple[int, ...] = ()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def render_copies(template_name: str, context: dict, copies: list[dict]) -> RenderedPdf:
    """Render `template_name` once per copy (each copy's dict is merged over the
    context as `copy`) and join them into one PDF."""
    documents = [
        html_to_document(render_to_string(template_name, {**context, "copy": copy}))
        for copy in copies or [{}]
    ]
    first = documents[0]
    pages = [page for document in documents for page in document.pages]
    content = first.copy(pages).write_pdf() if len(documents) > 1 else first.write_pdf()
    return RenderedPdf(
        content=content,
        page_count=len(pages),
        checksum=sha256(content),
        copy_page_counts=tuple(len(document.pages) for document in documents),
    )


def render_html(html: str) -> RenderedPdf:
    document = html_to_document(html)
    content = document.write_pdf()
    return RenderedPdf(content=content, page_count=len(document.pages), checksum=sha256(content))
