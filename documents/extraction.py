"""Text out of a stored file, for search. Runs in the worker, never in a request."""

from __future__ import annotations

from django.core.files.storage import default_storage
from pypdf import PdfReader, apply_configuration

# Enough for a few thousand pages of dense text; the rest of a longer file is not searchable.
MAX_TEXT_CHARS = 5_000_000
# The same ceiling the upload check enforces per stream (documents.validation).
_PER_STREAM_BYTES = 128 * 1024 * 1024


class ExtractionFailed(Exception):
    """The file cannot be read for text (damaged, or beyond pypdf's limits): permanent."""


def pdf_text(storage_name: str) -> str:
    """All the text of a stored PDF, pages separated by form feeds. A scan gives ''."""
    with default_storage.open(storage_name, "rb") as stored:
        try:
            with apply_configuration(zlib_maximum_output_length=_PER_STREAM_BYTES):
                return _text_of(PdfReader(stored, strict=False))
        except OSError:
            raise  # reading the storage failed: may be temporary, let the task decide
        except Exception as error:  # pypdf raises many kinds of error on damaged files
            raise ExtractionFailed(str(error)) from error


def _text_of(reader: PdfReader) -> str:
    pages: list[str] = []
    length = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        pages.append(text)
        length += len(text)
        if length >= MAX_TEXT_CHARS:
            break
    # PostgreSQL text cannot hold NUL characters, which some PDFs' fonts map to.
    return "\f".join(pages).replace("\x00", "")[:MAX_TEXT_CHARS]
