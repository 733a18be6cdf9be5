"""What an upload really is, judged by its bytes, never by its name.

``check_upload`` returns the kind of file it found or raises ``ValidationFailed`` with
``fields={"file": [why]}``, in the person's language. It only reads: storing is the
service's job, and happens only after a file passes.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.filters import ASCII85Decode, ASCIIHexDecode, LZWDecode, RunLengthDecode
from pypdf.generic import ArrayObject, DecodedStreamObject, IndirectObject, StreamObject

from config.errors import ValidationFailed

MiB = 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 50 * MiB
DEFAULT_PDF_MAX_PAGES = 10_000
DEFAULT_PDF_MAX_STREAM_BYTES = 128 * MiB  # one stream, inflated: a 600 dpi colour A4 page is ~100 MiB
DEFAULT_PDF_MAX_INFLATED_BYTES = 1024 * MiB  # every stream of the file together
PDF_MAX_OBJECTS = 1_000_000
MAX_IMAGE_PIXELS = 80_000_000  # an A3 page scanned at 600 dpi is ~70 million
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_INFLATED_BYTES = 1024 * MiB
_HEAD_BYTES = 64 * 1024
_CHUNK = 1 * MiB

# Pillow checks this (process-wide) limit when it opens any image; keep it at ours or lower.
Image.MAX_IMAGE_PIXELS = min(Image.MAX_IMAGE_PIXELS or MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS)


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]  # the first is the one to add to a name that lacks it
    label: str

    @property
    def has_pdf_text(self) -> bool:
        return self.content_type == "application/pdf"


PDF = Kind("application/pdf", (".pdf",), "PDF")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "Word")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "Excel")
PNG = Kind("image/png", (".png",), "PNG")
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"), "JPEG")
TIFF = Kind("image/tiff", (".tif", ".tiff"), "TIFF")
GIF = Kind("image/gif", (".gif",), "GIF")
WEBP = Kind("image/webp", (".webp",), "WebP")
EML = Kind("message/rfc822", (".eml",), gettext_lazy("E-mail"))
MSG = Kind("application/vnd.ms-outlook", (".msg",), "Outlook")
KINDS = {kind.content_type: kind for kind in (PDF, DOCX, XLSX, PNG, JPEG, TIFF, GIF, WEBP, EML, MSG)}
# Pillow's format names. Only these decoders are tried; Pillow's JPEG decoder names the
# multi-picture JPEGs that many phones and cameras write "MPO".
_IMAGE_OPENERS = ["PNG", "JPEG", "TIFF", "GIF", "WEBP"]
_IMAGE_FORMATS = {"PNG": PNG, "JPEG": JPEG, "MPO": JPEG, "TIFF": TIFF, "GIF": GIF, "WEBP": WEBP}


def extensions_for(content_type: str) -> tuple[str, ...]:
    kind = KINDS.get(content_type)
    return kind.extensions if kind else ()


def label_for(content_type: str) -> str:
    kind = KINDS.get(content_type)
    return str(kind.label) if kind else content_type


def max_upload_bytes() -> int:
    return getattr(settings, "CASEROOM_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def refused(message) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": [message]})


def check_upload(uploaded_file) -> Kind:
    """The kind of an uploaded file, or ValidationFailed saying why it is refused."""
    _check_size(uploaded_file.size)
    uploaded_file.seek(0)
    head = uploaded_file.read(_HEAD_BYTES)
    uploaded_file.seek(0)
    if head.startswith(_PROGRAM_SIGNATURES):
        raise refused(_("This file is a program, not a document. Caseroom does not accept programs, "
                        "whatever their file name says."))
    try:
        return _detect(uploaded_file, head)
    finally:
        uploaded_file.seek(0)


def _check_size(size: int | None) -> None:
    if not size:
        raise refused(_("The file is empty. Choose the file again, or check that it saved properly."))
    limit = max_upload_bytes()
    if size > limit:
        raise refused(_("The file is %(size)s; the largest file Caseroom accepts is %(limit)s.")
                      % {"size": filesizeformat(size), "limit": filesizeformat(limit)})


_PROGRAM_SIGNATURES = (
    b"MZ",  # Windows and DOS programs and libraries
    b"\x7fELF",  # Linux and other Unix programs
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # macOS
    b"\xca\xfe\xba\xbe",  # macOS universal programs, Java classes
    b"#!",  # scripts
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")


def _detect(uploaded_file, head: bytes) -> Kind:
    if b"%PDF-" in head[:1024]:  # readers accept the header anywhere in the first 1024 bytes
        _check_pdf(uploaded_file)
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _check_office(uploaded_file)
    if head.startswith(_OLE2):
        return _check_outlook(uploaded_file)
    if head.startswith(_IMAGE_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return _check_image(uploaded_file)
    if _is_email(head):
        return EML
    raise refused(_("Caseroom accepts PDF, Word (.docx), Excel (.xlsx), images (PNG, JPEG, TIFF, GIF, "
                    "WebP) and e-mails (.eml, .msg). This file is none of these."))


# --- PDF ------------------------------------------------------------------------------

def _pdf_bomb():
    return refused(_("This PDF expands to far more data than its size suggests (a “decompression "
                     "bomb”), so it was refused. If it is a real document, print it to a new PDF "
                     "and upload that."))


def _check_pdf(uploaded_file) -> None:
    max_pages = getattr(settings, "CASEROOM_PDF_MAX_PAGES", DEFAULT_PDF_MAX_PAGES)
    try:
        reader = PdfReader(uploaded_file, strict=False)
        if reader.is_encrypted:
            raise refused(_("This PDF is protected by a password or encryption. Save a copy "
                            "without the protection, then upload that."))
        pages = len(reader.pages)  # pypdf's own limits stop page trees of absurd size
    except LimitReachedError:
        raise _pdf_bomb() from None
    except ValidationFailed:
        raise
    except Exception:  # pypdf raises many kinds of error on damaged files
        raise refused(_("This PDF is damaged and cannot be read. Open it and save or print it "
                        "to a new PDF, then upload that.")) from None
    if pages == 0:
        raise refused(_("This PDF has no pages."))
    if pages > max_pages:
        raise refused(_("This PDF has %(count)s pages; the most Caseroom accepts in one file is "
                        "%(limit)s. Split it into smaller files.") % {"count": pages, "limit": max_pages})
    _check_pdf_streams(reader)


def _check_pdf_streams(reader: PdfReader) -> None:
    """Refuse a PDF whose compressed streams inflate beyond the limits, without inflating
    more than one chunk of any of them into memory."""
    per_stream = getattr(settings, "CASEROOM_PDF_MAX_STREAM_BYTES", DEFAULT_PDF_MAX_STREAM_BYTES)
    left = getattr(settings, "CASEROOM_PDF_MAX_INFLATED_BYTES", DEFAULT_PDF_MAX_INFLATED_BYTES)
    if sum(len(numbers) for numbers in reader.xref.values()) > PDF_MAX_OBJECTS:
        raise _pdf_bomb()
    for stream in _pdf_streams(reader):
        size = _inflated_size(stream, min(per_stream, left))
        if size is None:
            raise _pdf_bomb()
        left -= size


def _pdf_streams(reader: PdfReader):
    for generation, numbers in reader.xref.items():
        for number in numbers:
            try:
                obj = reader.get_object(IndirectObject(number, generation, reader))
            except LimitReachedError:
                raise _pdf_bomb() from None
            except Exception:  # a damaged object nobody can decode either  # noqa: S112
                continue
            if isinstance(obj, StreamObject) and not isinstance(obj, DecodedStreamObject):
                yield obj


# Filters that only shrink data, and can be undone safely before measuring what follows.
_SHRINKING = {"/ASCIIHexDecode": ASCIIHexDecode, "/AHx": ASCIIHexDecode,
              "/ASCII85Decode": ASCII85Decode, "/A85": ASCII85Decode}
_FLATE = {"/FlateDecode", "/Fl"}
_OTHER_INFLATING = {"/LZWDecode": LZWDecode, "/LZW": LZWDecode,
                    "/RunLengthDecode": RunLengthDecode, "/RL": RunLengthDecode}


def _inflated_size(stream: StreamObject, limit: int) -> int | None:
    """Bytes the stream decodes to (image codecs: their encoded size), or None past ``limit``."""
    data: bytes = stream._data  # the raw, still-encoded bytes: pypdf has no public accessor
    for name in _filter_names(stream):
        if name in _FLATE:
            return _flate_size(data, limit)
        if name in _OTHER_INFLATING:
            return _decoded_size(_OTHER_INFLATING[name], data, limit)
        if name not in _SHRINKING:
            break  # an image codec (DCT, JPX, JBIG2, CCITT): decoded only when drawn
        try:
            data = _SHRINKING[name].decode(data)
        except Exception:  # damaged: nobody can decode it further
            break
    return len(data) if len(data) <= limit else None


def _decoded_size(decoder, data: bytes, limit: int) -> int | None:
    try:
        with apply_configuration(lzw_maximum_output_length=limit, run_length_maximum_output_length=limit):
            return len(decoder.decode(data))
    except LimitReachedError:
        return None
    except Exception:  # damaged: as far as anyone can decode it
        return len(data)


def _filter_names(stream: StreamObject) -> list[str]:
    filters = stream.get("/Filter")
    if filters is None:
        return []
    filters = filters.get_object()
    return [str(f) for f in filters] if isinstance(filters, ArrayObject) else [str(filters)]


def _flate_size(data: bytes, limit: int) -> int | None:
    inflater = zlib.decompressobj()
    size = 0
    try:
        while True:
            chunk = inflater.decompress(data, _CHUNK)
            size += len(chunk)
            if size > limit:
                return None
            data = inflater.unconsumed_tail
            if inflater.eof or not (data or chunk):
                return size
    except zlib.error:
        return size  # damaged data: as far as anyone can inflate it


# --- Word and Excel -------------------------------------------------------------------

_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def _check_office(uploaded_file) -> Kind:
    not_office = _("This is a zip archive, not a Word (.docx) or Excel (.xlsx) file. Upload the "
                   "documents inside it one by one.")
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES or sum(e.file_size for e in entries) > ZIP_MAX_INFLATED_BYTES:
                raise refused(_("This file expands to far more data than its size suggests (a "
                                "“decompression bomb”), so it was refused."))
            names = {entry.filename.lower() for entry in entries}
            if "[content_types].xml" not in names:
                raise refused(not_office)
            with archive.open("[Content_Types].xml") as part:
                content_types = part.read(_CHUNK)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, KeyError,
            NotImplementedError, RuntimeError, ValueError, OSError):
        raise refused(_("This Word or Excel file is damaged and cannot be read.")) from None
    if b"macroEnabled" in content_types or any(n.endswith("vbaproject.bin") for n in names):
        raise refused(_("This Office file contains macros (.docm or .xlsm). Save it as a .docx or "
                        ".xlsx without macros, then upload that."))
    if _DOCX_MAIN in content_types:
        return DOCX
    if _XLSX_MAIN in content_types:
        return XLSX
    raise refused(not_office)


# --- Outlook messages and older Office files (OLE2 compound files) ----------------------

# Stream names in the compound file's directory are UTF-16: an Outlook message has these.
_MSG_MARKERS = ("__properties_version1.0".encode("utf-16-le"), "__substg1.0_".encode("utf-16-le"))
_ENCRYPTED_OFFICE = "EncryptedPackage".encode("utf-16-le")


def _check_outlook(uploaded_file) -> Kind:
    found = _find_markers(uploaded_file, (*_MSG_MARKERS, _ENCRYPTED_OFFICE))
    if all(marker in found for marker in _MSG_MARKERS):
        return MSG
    if _ENCRYPTED_OFFICE in found:
        raise refused(_("This Office file is protected by a password. Save a copy without the "
                        "password, then upload that."))
    raise refused(_("This is an older Office file (.doc, .xls or .ppt). Save it as .docx or .xlsx, "
                    "then upload that."))


def _find_markers(uploaded_file, markers) -> set[bytes]:
    overlap = max(len(m) for m in markers)
    found: set[bytes] = set()
    tail = b""
    uploaded_file.seek(0)
    while chunk := uploaded_file.read(_CHUNK):
        window = tail + chunk
        found.update(m for m in markers if m in window)
        tail = window[-overlap:]
    return found


# --- Images ------------------------------------------------------------------------------

def _check_image(uploaded_file) -> Kind:
    too_big = _("This image is too large: the most Caseroom accepts is %(limit)s million pixels. "
                "Scan or save it at a lower resolution.") % {"limit": MAX_IMAGE_PIXELS // 1_000_000}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded_file, formats=_IMAGE_OPENERS) as image:
                kind = _IMAGE_FORMATS[image.format]
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise refused(too_big)
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refused(too_big) from None
    except ValidationFailed:
        raise
    except Exception:  # Pillow raises many kinds of error on damaged images
        raise refused(_("This image is damaged or incomplete and cannot be read.")) from None
    return kind


# --- E-mail (.eml) ------------------------------------------------------------------------

_HEADER_LINE = re.compile(rb"[!-9;-~]+:")


def _is_email(head: bytes) -> bool:
    """An RFC 822 message: it starts with header fields, among them From and one more."""
    if b"\x00" in head or not _HEADER_LINE.match(head):
        return False
    try:
        message = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
        names = {name.lower() for name in message}
    except Exception:
        return False
    return "from" in names and bool(names & {"date", "subject", "message-id", "to"})
