"""Small files of every kind, good and bad, made in memory for the tests."""

from __future__ import annotations

import io
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """What a browser sends: the name and content type are the uploader's to choose."""
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- PDFs, written by hand so that every byte is ours to break ----------------------------

def pdf_from_objects(objects: list[bytes]) -> bytes:
    """A PDF whose object n is objects[n - 1]; object 1 must be the catalogue."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_pdf(*lines: str) -> bytes:
    """One page with the lines written in Helvetica (ASCII only)."""
    text = b" ".join(b"(%s) Tj 0 -16 Td" % line.encode("ascii") for line in lines)
    content = b"BT /F1 12 Tf 72 720 Td " + text + b" ET"
    return pdf_from_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        stream(zlib.compress(content), b"/Filter /FlateDecode "),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ])


def bomb_pdf(inflated_bytes: int) -> bytes:
    """A one-page PDF with an image-less XObject: a FlateDecode stream of zeros that
    inflates to ``inflated_bytes`` from about a thousandth of that."""
    squeezer = zlib.compressobj(9)
    megabyte = bytes(1024 * 1024)
    parts = [squeezer.compress(megabyte) for _ in range(inflated_bytes // len(megabyte))]
    parts += [squeezer.compress(bytes(inflated_bytes % len(megabyte))), squeezer.flush()]
    return pdf_from_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Zeros 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        stream(b"q /Zeros Do Q"),
        stream(b"".join(parts), b"/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Filter /FlateDecode "),
    ])


def many_pages_pdf(pages: int) -> bytes:
    """A page tree naming the same page ``pages`` times: tiny file, absurd page count."""
    kids = b" ".join([b"3 0 R"] * pages)
    return pdf_from_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ])


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf("Secret"))))
    writer.encrypt(user_password="open sesame", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def broken_pdf() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 8


# --- Office files ---------------------------------------------------------------------------

_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_WORD_MACROS_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def _ooxml(main_part: str, main_type: str, extra: dict[str, bytes] | None = None) -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx() -> bytes:
    return _ooxml("word/document.xml", _WORD_MAIN)


def xlsx() -> bytes:
    return _ooxml("xl/workbook.xml", _EXCEL_MAIN)


def docm() -> bytes:
    return _ooxml("word/document.xml", _WORD_MACROS_MAIN, {"word/vbaProject.bin": b"\x00" * 64})


def docx_with_macros_slipped_in() -> bytes:
    return _ooxml("word/document.xml", _WORD_MAIN, {"word/vbaProject.bin": b"\x00" * 64})


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a Word file")
    return buffer.getvalue()


# --- Images ----------------------------------------------------------------------------------

def image(kind: str, size=(40, 30), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white").save(buffer, format=kind)
    return buffer.getvalue()


# --- E-mail and programs ---------------------------------------------------------------------

EML = (
    b"From: Chan Tai Man <tm.chan@example.hk>\r\n"
    b"To: Alpha & Co <cases@alpha.test>\r\n"
    b"Subject: Without prejudice offer\r\n"
    b"Date: Fri, 27 Feb 2026 10:00:00 +0800\r\n"
    b"Message-ID: <1@example.hk>\r\n"
    b"\r\n"
    b"Our client offers HK$1,000,000 in full and final settlement.\r\n"
)

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def outlook_msg() -> bytes:
    """The parts of an Outlook message the check looks at: the OLE2 signature and the
    directory names of its property streams (UTF-16), in a padded compound file."""
    names = ("Root Entry", "__properties_version1.0", "__substg1.0_0037001F", "__substg1.0_1000001F")
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\x00") for name in names)
    return _OLE2 + bytes(504) + directory + bytes(1024)


def old_word_doc() -> bytes:
    names = ("Root Entry", "WordDocument", "1Table")
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\x00") for name in names)
    return _OLE2 + bytes(504) + directory + bytes(1024)


WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200) + b"This program cannot be run in DOS mode."
LINUX_PROGRAM = b"\x7fELF\x02\x01\x01" + bytes(200)
