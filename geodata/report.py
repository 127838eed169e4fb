"""The build report, typed: what each stage read, wrote, counted and did not use.

Written by :mod:`geodata.build.runner` as ``build_report.json`` in the build directory and
read back with :func:`read_report`; the CLI (``atlas info``), the app's *Données et
sources* and *Études de cas* pages, the briefing's sources and the static export's
attribution all read this object, never the JSON. Every row not used (or used after a
repair) is a :class:`geodata.problems.Problem`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from geodata.problems import Problem

FILE = "build_report.json"
FORMAT = 2  # bump when the JSON shape changes: an older report is ignored (full rebuild)


@dataclass(frozen=True)
class Source:
    """Provenance of one source of a stage (the version is a release or a checksum)."""

    name: str
    version: str
    vintage: str
    producer: str
    licence: str
    file: str = ""
    edition: str = ""  # ANCT lists: "snapshot", "fetched" or "dir"

    @classmethod
    def from_dict(cls, data: dict) -> Source:
        """Build from a provenance dict (unknown keys ignored)."""
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class ListReport:
    """One official list of the ``programmes`` stage: its status and row accounting."""

    file: str
    programme: str
    status: str  # "loaded", "not loaded" or "empty"
    phase: str = ""
    hint: str = ""  # how to load a list that is not loaded
    message: str = ""
    rows: int | None = None
    placed: int | None = None
    n_remapped: int = 0
    n_unplaced: int = 0

    @classmethod
    def from_dict(cls, data: dict) -> ListReport:
        """Build from :meth:`as_dict`'s output."""
        return cls(**_known(cls, data))


@dataclass
class StageReport:
    """What one stage produced, from which sources, and every row it did not use."""

    key: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    built_at: str = ""
    sources: list[Source] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    lists: dict[str, ListReport] = field(default_factory=dict)
    details: dict = field(default_factory=dict)  # stage-specific tables (JSON values)

    def problems_of(
        self, dataset: str | None = None, *, severity: str | None = None, kind: str | None = None
    ) -> list[Problem]:
        """Return the problems of one dataset (file), severity and/or kind."""
        return [
            p
            for p in self.problems
            if (dataset is None or p.dataset == dataset)
            and (severity is None or p.severity == severity)
            and (kind is None or p.kind == kind)
        ]

    def as_dict(self) -> dict:
        """Return the stage report as JSON-serialisable values."""
        out = asdict(self)
        out["problems"] = [p.as_dict() for p in self.problems]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> StageReport:
        """Rebuild a stage report written by :meth:`as_dict`."""
        return cls(
            key=data.get("key", {}),
            files=list(data.get("files", [])),
            built_at=data.get("built_at", ""),
            sources=[Source.from_dict(s) for s in data.get("sources", [])],
            counts=dict(data.get("counts", {})),
            problems=[Problem.from_dict(p) for p in data.get("problems", [])],
            timings=dict(data.get("timings", {})),
            lists={k: ListReport.from_dict(v) for k, v in data.get("lists", {}).items()},
            details=dict(data.get("details", {})),
        )


@dataclass
class BuildReport:
    """The stages of the last build, in build order."""

    stages: dict[str, StageReport] = field(default_factory=dict)
    user_cases: list[str] = field(default_factory=list)  # users' case tables (absolute paths)

    def __bool__(self) -> bool:
        return bool(self.stages)

    def stage(self, name: str) -> StageReport:
        """Return the report of stage ``name`` (empty when that stage was never built)."""
        return self.stages.get(name, StageReport())

    def as_dict(self) -> dict:
        """Return the report as JSON-serialisable values (the shape of the file)."""
        return {
            "format": FORMAT,
            "user_cases": list(self.user_cases),
            "stages": {k: s.as_dict() for k, s in self.stages.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> BuildReport:
        """Rebuild a report; one of another format is returned empty (rebuild needed)."""
        if data.get("format") != FORMAT:
            return cls()
        return cls(
            {k: StageReport.from_dict(v) for k, v in data.get("stages", {}).items()},
            [str(p) for p in data.get("user_cases", [])],
        )


def read_report(out: Path) -> BuildReport:
    """Return the build report of directory ``out`` (empty when there is none).

    A report written in an older format is returned empty, so the next build rebuilds
    every stage and writes it anew.
    """
    path = Path(out) / FILE
    if not path.exists():
        return BuildReport()
    return BuildReport.from_dict(json.loads(path.read_text(encoding="utf-8")))


def write_report(report: BuildReport, out: Path) -> Path:
    """Write ``report`` to ``out/build_report.json`` atomically; return the path."""
    path = Path(out) / FILE
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _known(cls: type, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}
