"""Output folders of the commands that write files (``atlas briefing``, ``atlas embed``).

Two checks, both raising :class:`OutputError` with a one-line French message: that an
``--out`` folder can be used at all (:func:`prepare_dir`: not a file, not a dangling
symbolic link, writable, creatable), and that a file about to be written stays inside it
(:func:`inside`: resolved and compared, so an id such as ``ti-/../../x`` or a symbolic link
inside the folder cannot send a file elsewhere). No I/O at import time.
"""

from __future__ import annotations

import os
from pathlib import Path


class OutputError(ValueError):
    """An output folder or file that cannot be used; the message is French, one line."""


def prepare_dir(out: Path, option: str = "--out") -> Path:
    """Check that ``out`` can be written into, create it if missing, return it.

    Raises
    ------
    OutputError
        When ``out`` is an existing file, a symbolic link to nothing, a folder that cannot
        be written into, or a folder that cannot be created (``/proc/x``); the message
        names the option, the path and the fix.
    """
    out = Path(out)
    if out.is_symlink() and not out.exists():
        raise OutputError(
            f"{option} {out} est un lien symbolique vers {os.readlink(out)}, qui n'existe pas : "
            "donnez un dossier existant ou un chemin libre"
        )
    if out.exists() and not out.is_dir():
        raise OutputError(
            f"{option} {out} est un fichier, pas un dossier : donnez un dossier "
            "(il est créé s'il manque)"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{option} {out} : impossible de créer ce dossier ({exc.strerror}) : "
            "donnez un dossier où vous pouvez écrire"
        ) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(
            f"{option} {out} : dossier en lecture seule, impossible d'y écrire : "
            "donnez un dossier où vous pouvez écrire"
        )
    return out


def inside(out: Path, relative: str | Path, option: str = "--out") -> Path:
    """Return ``out / relative``, checked to resolve inside ``out``.

    Raises
    ------
    OutputError
        When the path, once ``..`` and symbolic links are resolved, leaves ``out``.
    """
    path = Path(out) / relative
    root = Path(out).resolve()
    if not path.resolve().is_relative_to(root) or path.resolve() == root:
        raise OutputError(
            f"le fichier {str(relative)!r} mènerait hors du dossier {option} {out} "
            "(chemin avec « .. », « / » ou lien symbolique) : rien n'est écrit à cet endroit"
        )
    return path
