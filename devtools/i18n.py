"""Compile gettext catalogues with polib: a fresh machine has no msgfmt, and .mo files
are build output (gitignored)."""

from pathlib import Path

import polib

from devtools.paths import REPO_ROOT


def catalogues(root: Path = REPO_ROOT) -> list[Path]:
    """The project's locale/ and each app's <app>/locale/ (glob skips .venv and .data)."""
    patterns = ["locale/*/LC_MESSAGES/*.po", "*/locale/*/LC_MESSAGES/*.po"]
    return sorted({path for pattern in patterns for path in root.glob(pattern)})


def is_stale(po: Path, mo: Path) -> bool:
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_translations(root: Path = REPO_ROOT) -> list[Path]:
    """Write each missing or outdated .mo beside its .po; returns the .mo files written.
    Like msgfmt, polib leaves fuzzy and untranslated entries out."""
    written = []
    for po in catalogues(root):
        mo = po.with_suffix(".mo")
        if is_stale(po, mo):
            polib.pofile(str(po)).save_as_mofile(str(mo))
            written.append(mo)
    return written
