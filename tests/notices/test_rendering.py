"""WeasyPrint may read only our own static files and data: URIs; our font is embedded."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from notices.documents import document_request
from notices.models import Document
from notices.rendering import ResourceRefused, StaticOnlyURLFetcher, render_html
from tests.notices.conftest import household

STATIC = Path(settings.BASE_DIR, "static")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/logo.png",
        "file:///etc/passwd",
        f"file://{STATIC}/pdf/../../config/settings.py",  # climbing out of the static folder
        f"file://{STATIC}/frontend/app.css",  # ours, but not a PDF resource
        "ftp://example.com/x",
    ],
)
def test_fetcher_refuses_anything_but_our_pdf_files_and_data_uris(url):
    with pytest.raises(ResourceRefused, match="may only use the service's own"):
        StaticOnlyURLFetcher().fetch(url)


def test_fetcher_reads_our_font_and_data_uris():
    fetcher = StaticOnlyURLFetcher()
    font = fetcher.fetch((STATIC / "fonts" / "LiberationSans-Regular.ttf").as_uri())
    assert font.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"


def test_a_document_that_reaches_outside_fails_loudly_instead_of_rendering_without_it():
    html = '<p>Hello</p><img src="http://169.254.169.254/latest/meta-data/iam">'
    with pytest.raises(ResourceRefused):
        render_html(html)
    with pytest.raises(ResourceRefused):
        render_html('<link rel="stylesheet" href="file:///etc/passwd"><p>x</p>')


def test_pdfs_embed_the_shipped_liberation_sans():
    pdf = render_html("<p>Rent account</p><p><strong>Bold</strong></p>")
    fonts, versions = set(), set()
    for page in PdfReader(io.BytesIO(pdf.content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descriptor = (
                font.get("/FontDescriptor")
                or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            data = descriptor.get_object()["/FontFile2"].get_object().get_data()
            names = TTFont(io.BytesIO(data))["name"].names
            versions |= {n.toUnicode() for n in names if n.nameID == 5}
    # Our 2.1.5 files, not whatever the machine has installed (Debian ships 1.07).
    assert versions == {"Version 2.1.5"}
    # Subset names look like /SRPNWF+Liberation-Sans: embedded, from our @font-face.
    assert any(name.endswith("+Liberation-Sans") for name in fonts), fonts
    assert any(name.endswith("+Liberation-Sans-Bold") for name in fonts), fonts


def test_what_officers_and_tenants_typed_is_printed_as_text_not_markup(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    tenant = case.tenancy.tenants.get()
    tenant.last_name = 'Smith<img src="http://169.254.169.254/">'
    tenant.save()
    from notices.catalogue import template_for
    from notices.contexts import letter_context, load_case
    from tests.notices.conftest import TODAY, pdf_text

    context = letter_context(
        "arrears_letter_1",
        load_case(case.pk),
        template=template_for("arrears_letter_1"),
        today=TODAY,
    )
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(
            case=case, kind="arrears_letter_1", context=context, actor=team.alice
        )
    document.refresh_from_db()
    assert document.status == Document.Status.RENDERED
    assert 'Smith<img src="http://169.254.169.254/">' in pdf_text(document)


def test_a_render_failure_is_recorded_on_the_document_and_the_timeline(
    team, django_capture_on_commit_callbacks
):
    case = household(patch=team.patch_a)
    context = {"title": "Broken", "copies": [{"name": "X", "address": ["1 A St", "EB1 1AA"]}]}
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(
            case=case, kind="arrears_letter_1", context=context, actor=team.alice
        )
    Document.objects.filter(pk=document.pk).update(template_name="documents/does_not_exist.html")
    from notices.documents import document_render

    document = document_render(document_id=document.pk)  # a re-run after the first render...
    assert document.status == Document.Status.RENDERED  # ...does nothing: it is already rendered

    broken = Document.objects.create(
        case=case,
        kind="arrears_letter_1",
        title="Broken",
        template_name="documents/does_not_exist.html",
        template_version="1.0",
        context=context,
    )
    document = document_render(document_id=broken.pk)
    assert document.status == Document.Status.FAILED
    assert "TemplateDoesNotExist" in document.error
    assert case.events.filter(verb="document_failed", payload__document_id=broken.pk).count() == 1
