"""Secrets kept at rest encrypted: the CalDAV app passwords (CalDAVConnection.password).

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under keys that are not in
the database, so a dump or a backup of it yields no password:

- ``CALDAV_ENCRYPTION_KEY``: one Fernet key or several, comma-separated. The first
  encrypts; every one decrypts (to change keys: put the new one first, keep the old one
  after it until ``manage.py caldav_passwords_rotate`` has re-encrypted every row).
- Unset (development, and production until one is set; ``check --deploy`` says so): a
  key derived by HKDF-SHA256 from ``SECRET_KEY``, and others from ``SECRET_KEY_FALLBACKS``
  so a rotated ``SECRET_KEY`` still reads what was stored under the old one. These derived
  keys also decrypt (never encrypt) once a key of its own is set, so nothing is lost when
  one is introduced.

A stored value is ``fernet:<token>``; ``EncryptedTextField`` writes and reads it, so the
model's code sees plain text and nothing can store plain text by mistake. A value without
the prefix is plain text stored before encryption (migration 0009 encrypts those rows; an
old process still running during a deploy could write one more): it is read as it is and
re-encrypted by the next save or by ``caldav_passwords_rotate``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

log = logging.getLogger(__name__)

PREFIX = "fernet:"
_HKDF_INFO = b"caseroom:caldav-password:v1"


class Unreadable(ValueError):
    """No configured key opens this value: the key it was written under is gone."""


def configured_keys() -> list[str]:
    """CALDAV_ENCRYPTION_KEY as a list (may be empty); ImproperlyConfigured if one is not a key."""
    keys = [key.strip() for key in (getattr(settings, "CALDAV_ENCRYPTION_KEY", "") or "").split(",") if key.strip()]
    for number, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode())) == 32
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                f"CALDAV_ENCRYPTION_KEY: key {number} is not a Fernet key (32 bytes in URL-safe base64). Make one "
                "with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'")
    return keys


def derived_key(secret: str) -> str:
    """A Fernet key derived from ``secret`` (SECRET_KEY) for this one purpose."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret.encode())
    return base64.urlsafe_b64encode(raw).decode()


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(configured_keys()), settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


@functools.lru_cache(maxsize=8)
def _fernet_for(configured: tuple[str, ...], secret: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    derived = [derived_key(secret), *(derived_key(old) for old in fallbacks)]
    return MultiFernet([Fernet(key) for key in dict.fromkeys([*configured, *derived])])


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)


def encrypt_text(plain: str) -> str:
    """``fernet:<token>`` under the first key; "" stays "" (a forgotten password)."""
    if not plain:
        return plain
    return PREFIX + _fernet().encrypt(plain.encode()).decode()


def decrypt_text(stored: str) -> str:
    """The plain text; Unreadable if no key opens it. Plain text from before encryption as it is."""
    if not is_encrypted(stored):
        return stored
    try:
        return _fernet().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise Unreadable("no CALDAV_ENCRYPTION_KEY (or key derived from SECRET_KEY) opens this value") from None


def reencrypt_text(stored: str) -> str:
    """The same secret under the first key (plain text from before encryption, encrypted)."""
    if not stored:
        return stored
    if not is_encrypted(stored):
        return encrypt_text(stored)
    try:
        return PREFIX + _fernet().rotate(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise Unreadable("no CALDAV_ENCRYPTION_KEY (or key derived from SECRET_KEY) opens this value") from None


class UnreadableSecret(str):
    """What a row gives when no key opens its value: empty, and recognisable as unreadable
    (``isinstance``), so a page still loads and the push can say what to do."""


class EncryptedTextField(models.TextField):
    """A text column stored encrypted (``fernet:<token>``); Python sees the plain text."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        try:
            return decrypt_text(value)
        except Unreadable:
            log.error("an encrypted %s could not be decrypted: check CALDAV_ENCRYPTION_KEY", self.name)
            return UnreadableSecret("")

    def get_prep_value(self, value):
        """Always encrypted, even text that looks encrypted: code that has a token already
        (a migration, the rotation) writes it with SQL, not through the field."""
        value = super().get_prep_value(value)
        if value is None or isinstance(value, UnreadableSecret):
            return value
        return encrypt_text(value)
