"""Files are judged by their bytes, never by their names."""

import pytest

from config.errors import ValidationFailed
from documents.validation import check_upload
from tests.documents import files


def _named(cases):
    """Test ids from the readable parts only: some contents (encrypted PDFs) differ run to run."""
    return [pytest.param(*case, id=f"{case[0]}: {case[-1]}") for case in cases]


@pytest.mark.parametrize(("name", "content", "content_type"), _named([
    ("scan.pdf", files.text_pdf("Hello"), "application/pdf"),
    ("letter.docx", files.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("costs.xlsx", files.xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("photo.png", files.image("PNG"), "image/png"),
    ("photo.jpg", files.image("JPEG"), "image/jpeg"),
    ("scan.tif", files.image("TIFF"), "image/tiff"),
    ("map.gif", files.image("GIF"), "image/gif"),
    ("photo.webp", files.image("WEBP"), "image/webp"),
    ("offer.eml", files.EML, "message/rfc822"),
    ("offer.msg", files.outlook_msg(), "application/vnd.ms-outlook"),
    ("a-pdf-named-wrongly.docx", files.text_pdf("Hello"), "application/pdf"),
    ("no-extension", files.image("PNG"), "image/png"),
]))
def test_each_accepted_kind_is_recognised_by_its_content(name, content, content_type):
    assert check_upload(files.upload(name, content, "text/plain")).content_type == content_type


def _refusal(name, content) -> str:
    with pytest.raises(ValidationFailed) as refused:
        check_upload(files.upload(name, content, "application/pdf"))
    assert refused.value.fields["file"] == [refused.value.message]
    return str(refused.value.message)


@pytest.mark.parametrize(("name", "content", "says"), _named([
    ("contract.pdf", files.WINDOWS_PROGRAM, "is a program, not a document"),
    ("contract.pdf", files.LINUX_PROGRAM, "is a program, not a document"),
    ("run.eml", b"#!/bin/sh\nrm -rf /\n", "is a program, not a document"),
    ("claim.pdf", files.broken_pdf(), "This PDF is damaged"),
    ("claim.pdf", files.text_pdf("Cut short")[:200], "This PDF is damaged"),
    ("claim.pdf", files.encrypted_pdf(), "protected by a password"),
    ("claim.pdf", files.bomb_pdf(200 * 1024 * 1024), "decompression bomb"),
    ("claim.docx", files.plain_zip(), "zip archive, not a Word"),
    ("claim.docx", files.docm(), "contains macros"),
    ("claim.docx", files.docx_with_macros_slipped_in(), "contains macros"),
    ("claim.docx", files.docx()[:100], "damaged"),
    ("claim.doc", files.old_word_doc(), "older Office file"),
    ("photo.png", files.image("PNG")[:40], "image is damaged"),
    ("photo.bmp", files.image("BMP"), "This file is none of these"),
    ("notes.txt", b"Meeting notes, no headers here\n", "This file is none of these"),
    ("page.eml", b"<html><body>From: someone</body></html>", "This file is none of these"),
    ("empty.pdf", b"", "The file is empty"),
]))
def test_a_refused_file_gets_a_message_saying_why(name, content, says):
    assert says in _refusal(name, content)


def test_a_pdf_with_an_absurd_page_count_is_refused(settings):
    settings.CASEROOM_PDF_MAX_PAGES = 1000
    assert "has 1001 pages; the most Caseroom accepts in one file is 1000" in _refusal(
        "bundle.pdf", files.many_pages_pdf(1001))
    assert check_upload(files.upload("bundle.pdf", files.many_pages_pdf(1000))).content_type == "application/pdf"


def test_streams_that_together_inflate_past_the_limit_are_a_bomb(settings):
    settings.CASEROOM_PDF_MAX_STREAM_BYTES = 4 * 1024 * 1024
    settings.CASEROOM_PDF_MAX_INFLATED_BYTES = 3 * 1024 * 1024
    assert check_upload(files.upload("ok.pdf", files.bomb_pdf(2 * 1024 * 1024))).content_type == "application/pdf"
    assert "decompression bomb" in _refusal("bomb.pdf", files.bomb_pdf(4 * 1024 * 1024))


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded():
    huge = files.image("PNG", size=(10_000, 9_000), mode="1")  # 90 million pixels, 30 kB
    assert "image is too large" in _refusal("scan.png", huge)


def test_the_size_limit_comes_from_the_setting(settings):
    settings.CASEROOM_MAX_UPLOAD_BYTES = 10
    assert "the largest file Caseroom accepts is 10\xa0bytes" in _refusal("offer.eml", files.EML)

