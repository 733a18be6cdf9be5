"""Where the repository and its local data live."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The data directory (CASEROOM_DATA_DIR, default <repo>/.data), created if missing."""
    path = Path(os.environ.get("CASEROOM_DATA_DIR") or REPO_ROOT / ".data").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path
