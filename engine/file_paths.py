"""Files named on the command line or found in folders (``govflow deploy``, ``govflow lint``), read with a
message that names the one that cannot be read, rather than a traceback. A folder that cannot be listed is
an error too: skipped without a word, its files would be missing from a deploy nobody notices."""
from __future__ import annotations

import os
from pathlib import Path


class Unreadable(Exception):
    """A file or folder that cannot be read; the message names it and says why."""


def _refused(error: OSError, path: Path | str) -> Unreadable:
    return Unreadable(f"{error.filename or path}: cannot be read ({error.strerror or error})")


def kind_of(path: Path) -> str | None:
    """``dir``, ``file`` or None (nothing there). Raises Unreadable: a folder on the way may not be searched."""
    try:
        return "dir" if path.is_dir() else "file" if path.is_file() else None
    except OSError as error:
        raise _refused(error, path) from None


def files_under(folder: Path) -> list[Path]:
    """Every file in the folder and its subfolders, in path order. Raises Unreadable: a folder in it
    cannot be listed."""
    def refuse(error: OSError) -> None:
        raise _refused(error, folder)

    found = [Path(root) / name for root, _, names in os.walk(folder, onerror=refuse) for name in names]
    return sorted(path for path in found if kind_of(path) == "file")  # a folder listed, not searched: Unreadable


def read(path: Path) -> bytes:
    """The file's bytes. Raises Unreadable."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise _refused(error, path) from None
