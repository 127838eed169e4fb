"""One shape for every row a build or a check did not use as given: :class:`Problem`.

A problem names where the row is (``dataset`` and ``line``, or the row's ``code`` when the
dataset has no lines), the ``field`` and ``value`` concerned, the ``reason`` and the
``fix`` (what the build did, or what to change in the source). ``severity`` says what
became of the row: ``"error"`` (row not used), ``"warning"`` (row used, a value repaired
or normalised), ``"info"`` (row used, a note). ``kind`` is a short tag for grouping
(``"unplaced"``, ``"remapped"``, ``"padded"``, ``"no geometry"``, ...).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

SEVERITIES = ("error", "warning", "info")
SEVERITY_FR = {"error": "erreur", "warning": "avertissement", "info": "information"}


@dataclass(frozen=True)
class Problem:
    """One row not used as given, located by dataset, line (or code) and field."""

    dataset: str
    line: int | None = None
    code: str = ""
    field: str = ""
    value: str = ""
    reason: str = ""
    fix: str = ""
    severity: str = "error"
    kind: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"Problem severity {self.severity!r}: expected one of {SEVERITIES}")

    @property
    def where(self) -> str:
        """``file:line`` when the row has a line, else ``dataset code``."""
        if self.line is not None:
            return f"{self.dataset}:{self.line}"
        return f"{self.dataset} {self.code}".strip()

    def __str__(self) -> str:
        """One line for the CLI: ``file:line: field='value' — reason ; fix [gravité]``."""
        flat = {k: " ".join(str(getattr(self, k)).split()) for k in ("reason", "fix")}
        subject = f"{self.field}={self.value!r}" if self.value else self.field
        text = f"{self.where}: {subject}" if subject else self.where
        if flat["reason"]:
            text += f" — {flat['reason']}"
        if flat["fix"]:
            text += f" ; {flat['fix']}"
        return f"{text} [{SEVERITY_FR[self.severity]}]"

    def as_dict(self) -> dict:
        """Return the problem as a plain dict (for the JSON build report)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        """Rebuild a problem written by :meth:`as_dict` (unknown keys are refused).

        Raises
        ------
        ValueError
            When ``data`` holds a key that is not a field of :class:`Problem`.

        """
        known = {f.name for f in fields(cls)}
        extra = set(data) - known
        if extra:
            raise ValueError(
                f"Problem: unknown key(s) {sorted(extra)}; expected among "
                f"{sorted(known)} (rebuild with atlas build --force)"
            )
        line = data.get("line")
        return cls(**{**data, "line": None if line is None else int(line)})


def count_by(problems: list[Problem], **match: str) -> int:
    """Count the problems whose attributes equal ``match`` (e.g. ``kind="unplaced"``)."""
    return sum(all(getattr(p, k) == v for k, v in match.items()) for p in problems)
