"""Download the sources of the catalogue into a destination folder, with caching and a report."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from http.client import HTTPException, HTTPResponse
from pathlib import Path

import pandas as pd

from geodata import config
from geodata.fetch.catalogue import Source, select_sources
from geodata.fetch.http import (
    DeadlineExceeded,
    FetchError,
    _announced,
    _chunks,
    _is_http,
    _opener,
    _Options,
    _rebase,
    _sweep_parts,
    check_url,
)
from geodata.fetch.limits import (
    _RAW_EXTS,
    API_MAX_BYTES,
    BASE_URL_ENV,
    CACHE_FILE,
    DATA_GOUV_API,
    DOWNLOADED,
    FAILED,
    RAW_DIR,
    UNCHANGED,
    USER_AGENT,
    _human,
)
from geodata.fetch.normalise import _fold

# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceResult:
    """What happened to one source.

    ``status`` is ``"downloaded"``, ``"unchanged"`` or ``"failed"``; ``path`` the product
    (tidy CSV, or the raw archive); ``bytes`` the size of the raw download (or of the
    raw file kept, when unchanged); ``url`` the file's URL when it was resolved.
    """

    name: str
    status: str
    path: Path | None
    bytes: int
    message: str
    url: str | None = None


@dataclass(frozen=True)
class FetchReport:
    """The outcome of :func:`fetch`, one :class:`SourceResult` per source."""

    dest: Path
    results: tuple[SourceResult, ...]

    @property
    def ok(self) -> bool:
        """``True`` when no source failed."""
        return all(r.status != FAILED for r in self.results)

    def __getitem__(self, name: str) -> SourceResult:
        """Return the result of source ``name``."""
        for result in self.results:
            if result.name == name:
                return result
        names = [r.name for r in self.results]
        raise KeyError(f"no source {name!r} in this report; it has {names}")

    def __str__(self) -> str:
        """Return a summary: one line per source, its message, and the counts."""
        lines = [f"atlas fetch -> {self.dest}"]
        for r in self.results:
            lines.append(f"  {r.name:<13} {r.status:<10} {_human(r.bytes):>9}  {r.path or '-'}")
            lines.append(f"      {r.message}")
        counts = Counter(r.status for r in self.results)
        lines.append(", ".join(f"{counts[s]} {s}" for s in (DOWNLOADED, UNCHANGED, FAILED)))
        return "\n".join(lines)


class _Progress:
    """Bytes received / Content-Length on stderr; one line per file when not live."""

    def __init__(self, name: str, total: int | None, live: bool) -> None:
        self.name, self.total, self.live = name, total, live
        self.stream = sys.stderr
        self.last = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if self.live and now - self.last >= 0.1:
            self.last = now
            self.stream.write(f"\r  {self.name}: {self._text(done)}\033[K")
            self.stream.flush()

    def close(self, done: int) -> None:
        prefix = "\r" if self.live else ""
        self.stream.write(f"{prefix}  {self.name}: {self._text(done)}\n")
        self.stream.flush()

    def _text(self, done: int) -> str:
        if not self.total:
            return f"{_human(done)}"
        return f"{_human(done)} / {_human(self.total)} {100 * done // self.total:3d}%"


# --------------------------------------------------------------------------------------
# Downloading
# --------------------------------------------------------------------------------------


def fetch(
    dest: Path,
    only: Sequence[str] | None = None,
    *,
    sources: Sequence[Source] | None = None,
    timeout: float = 30,
    progress: bool = True,
    api_base: str = DATA_GOUV_API,
    deadline: float | None = None,
    base_url: str | None = None,
) -> FetchReport:
    """Download the current official lists into ``dest`` as tidy CSV.

    Parameters
    ----------
    dest : Path
        Destination directory (created); use it as ``ATLAS_DATA_DIR``. Raw downloads go
        to ``dest/raw/``, the cache to ``dest/.fetch_cache.json``.
    only : sequence of str, optional
        Names of the sources to fetch; default: every non-optional source.
    sources : sequence of Source, optional
        The catalogue (default :data:`CATALOGUE`); tests point it at a local server.
    timeout : float
        Seconds allowed to connect and for each read.
    progress : bool
        Show a progress bar on stderr when it is a terminal (else one line per file).
    api_base : str
        The data.gouv.fr API root used to resolve dataset slugs.
    deadline : float, optional
        Seconds allowed for the whole transfer of each source (dataset JSON, redirects,
        headers and body); default: each source's :attr:`Source.deadline`.
    base_url : str, optional
        Send every request to this ``http(s)`` server instead: each URL (the API root, the
        direct links, the links the API returns) keeps its path and query, prefixed by
        the base URL's path. For a mirror, or a test server on 127.0.0.1.

    Returns
    -------
    FetchReport
        One result per source: downloaded, unchanged or failed (with the reason). A
        failed source leaves its previous files in ``dest`` untouched.

    Raises
    ------
    ValueError
        When ``only`` names an unknown source (the message lists the valid names),
        ``timeout`` or ``deadline`` is not positive, or ``base_url`` is not an http(s) URL.

    """
    selected = select_sources(only, sources)
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if deadline is not None and not deadline > 0:
        raise ValueError(f"deadline must be a positive number of seconds, got {deadline!r}")
    if base_url is not None and not _is_http(base_url):
        raise ValueError(
            f"base URL must be an http:// or https:// URL with a host, got "
            f"{base_url!r} (--base-url or ${BASE_URL_ENV})"
        )
    dest = Path(dest)
    (dest / RAW_DIR).mkdir(parents=True, exist_ok=True)
    _sweep_parts(dest)
    opts = _Options(
        dest,
        float(timeout),
        progress and sys.stderr.isatty(),
        api_base.rstrip("/"),
        deadline,
        base_url,
    )
    cache = _load_cache(dest)
    results = []
    for source in selected:
        results.append(_fetch_one(source, opts, cache))
        _save_cache(dest, cache)
    return FetchReport(dest, tuple(results))


def _fetch_one(source: Source, opts: _Options, cache: dict[str, dict]) -> SourceResult:
    seconds = opts.deadline or source.deadline
    opts = replace(opts, end=time.monotonic() + seconds)
    target = _rebase(source.url, opts) if source.url else _api_url(source, opts)
    try:
        target = _resolve_url(source, opts)
        return _download(source, target, opts, cache)
    except DeadlineExceeded:
        return _failed(
            source,
            target,
            f"abandoned after {seconds:g} s, the deadline for one "
            f"file: {target} sends too slowly; retry later or raise --deadline",
        )
    except urllib.error.HTTPError as exc:
        why = f"HTTP {exc.code} {exc.reason} for {exc.filename or target}"
        return _failed(source, target, f"{why}; the lists in {opts.dest} are unchanged")
    except urllib.error.URLError as exc:
        return _failed(source, target, _url_error_message(exc, target, opts))
    except TimeoutError:
        return _failed(
            source,
            target,
            f"timed out after {opts.timeout:g} s reading {target}: "
            "the server is slow; retry later or raise --timeout",
        )
    except (FetchError, ValueError) as exc:
        return _failed(source, target, f"{exc} (from {target})")
    except (HTTPException, OSError) as exc:
        return _failed(
            source,
            target,
            f"transfer of {target} failed ({exc}); the lists in {opts.dest} are unchanged",
        )


def _failed(source: Source, url: str, message: str) -> SourceResult:
    return SourceResult(source.name, FAILED, None, 0, message, url)


def _url_error_message(exc: urllib.error.URLError, url: str, opts: _Options) -> str:
    host = urllib.parse.urlsplit(url).netloc or url
    if not isinstance(exc.reason, OSError):
        return f"cannot open {url}: {exc.reason}"
    if isinstance(exc.reason, TimeoutError) and time.monotonic() >= opts.end:
        # The connection's timeout is cut to the time left before the deadline.
        return (
            f"abandoned {url}: the deadline for one file passed while connecting to "
            f"{host}; retry later or raise --deadline"
        )
    if isinstance(exc.reason, TimeoutError):
        return (
            f"timed out after {opts.timeout:g} s connecting to {host}: the server is slow "
            "or unreachable; retry later or raise --timeout"
        )
    return (
        f"cannot reach {host} ({exc.reason}): you seem to be offline; the lists in "
        f"{opts.dest} are unchanged"
    )


def _open(url: str, opts: _Options, headers: Mapping[str, str] | None = None) -> HTTPResponse:
    """Open an http(s) URL; its connection, redirects and reads end by ``opts.end``."""
    check_url(url, "URL")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    return _opener(opts.end).open(request, timeout=opts.timeout)


def _api_url(source: Source, opts: _Options) -> str:
    return _rebase(f"{opts.api_base}/datasets/{source.dataset}/", opts)


def _resolve_url(source: Source, opts: _Options) -> str:
    """Return the file URL: the direct one, or the data.gouv.fr resource that matches."""
    if source.url:
        return _rebase(source.url, opts)
    api = _api_url(source, opts)
    with _open(api, opts, {"Accept": "application/json"}) as resp:
        # Capped before parsing: an endless JSON would otherwise end in a MemoryError.
        body = b"".join(_chunks(resp, API_MAX_BYTES, api, f"the dataset JSON of {source.name}"))
    try:
        meta = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise FetchError(f"{api} did not return dataset JSON ({why}); check --api-base") from None
    resources = meta.get("resources") if isinstance(meta, dict) else None
    if not isinstance(resources, list):
        raise FetchError(f"{api}: no 'resources' list in the dataset JSON")
    url = str(_pick_resource(source, [r for r in resources if isinstance(r, dict)])["url"])
    return _rebase(check_url(url, f"dataset {source.dataset!r} lists"), opts)


def _pick_resource(source: Source, resources: list[dict]) -> dict:
    wanted = [_fold(m) for m in source.match]

    def fits(res: dict) -> bool:
        text = _fold(f"{res.get('title', '')} {res.get('url', '')}")
        return _resource_format(res) in source.formats and all(w in text for w in wanted)

    hits = [r for r in resources if r.get("url") and fits(r)]
    if not hits:
        found = [(r.get("title"), r.get("format")) for r in resources]
        raise FetchError(
            f"dataset {source.dataset!r}: no resource matches {list(source.match)} in format "
            f"{list(source.formats)}; resources found: {found}. Update the selector of "
            f"{source.name!r} in geodata/fetch.py"
        )
    return max(hits, key=lambda r: str(r.get("last_modified") or ""))


def _resource_format(res: dict) -> str:
    declared = str(res.get("format") or "").lower().strip(". ")
    return declared or Path(urllib.parse.urlsplit(str(res["url"])).path).suffix.lower()[1:]


def _download(source: Source, url: str, opts: _Options, cache: dict[str, dict]) -> SourceResult:
    entry = cache.get(source.name, {})
    try:
        resp = _open(url, opts, _conditional_headers(source, url, entry, opts.dest))
    except urllib.error.HTTPError as exc:
        if exc.code != 304:
            raise
        exc.close()
        return _unchanged(source, url, entry, opts.dest, "not modified (HTTP 304)")
    with resp:
        ext = _raw_ext(resp, url, source)
        work = Path(
            tempfile.mkdtemp(prefix=f".{source.name}.", suffix=".part", dir=opts.dest / RAW_DIR)
        )
        try:
            raw_tmp = work / f"{source.name}.{ext}"
            digest, size = _receive(resp, raw_tmp, source, url, opts.live)
            if digest == entry.get("sha256") and _product(source, entry, opts.dest).exists():
                cache[source.name] = {**entry, **_validators(resp, url)}
                return _unchanged(source, url, entry, opts.dest, "same content (sha256)")
            path, raw_path = _install(source, raw_tmp, opts.dest)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    cache[source.name] = _cache_entry(source, resp, url, raw_path, digest, size, opts.dest)
    return SourceResult(source.name, DOWNLOADED, path, size, f"{_human(size)} from {url}", url)


def _receive(
    resp: HTTPResponse, out_path: Path, source: Source, url: str, live: bool
) -> tuple[str, int]:
    """Stream the body to ``out_path``, at most ``source.max_bytes``; return sha256 and size.

    Raises
    ------
    FetchError
        When fewer bytes than ``Content-Length`` arrived (a truncated transfer), or more
        than ``source.max_bytes`` are announced or sent.

    """
    total = _announced(resp)
    digest, size = hashlib.sha256(), 0
    bar = _Progress(source.name, total, live)
    with out_path.open("wb") as out:
        for chunk in _chunks(resp, source.max_bytes, url, source.name):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            bar.update(size)
    bar.close(size)
    if total is not None and size != total:
        raise FetchError(
            f"truncated transfer: received {_human(size)} of {_human(total)} "
            "announced; the previous files are kept, retry later"
        )
    return digest.hexdigest(), size


def _install(source: Source, raw_tmp: Path, dest: Path) -> tuple[Path, Path]:
    """Normalise the download, then move raw and tidy files into place atomically.

    Returns the product (tidy CSV, or the raw file when there is no normaliser) and the
    raw file's final path.
    """
    raw_path = dest / RAW_DIR / raw_tmp.name
    if source.normalise is None or source.output is None:
        os.replace(raw_tmp, raw_path)
        return raw_path, raw_path
    table = source.normalise(raw_tmp)
    if isinstance(table, dict):  # several files, written in the folder ``output``
        return _install_folder(table, raw_tmp, raw_path, dest / source.output)
    tidy_tmp = raw_tmp.with_name(f"tidy-{source.output}")  # same file system as dest
    table.to_csv(tidy_tmp, index=False, encoding="utf-8")
    os.replace(raw_tmp, raw_path)
    os.replace(tidy_tmp, dest / source.output)
    return dest / source.output, raw_path


def _install_folder(
    tables: dict[str, pd.DataFrame], raw_tmp: Path, raw_path: Path, folder: Path
) -> tuple[Path, Path]:
    """Write each tidy table (file name -> table) into ``folder``, each file atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    staged = []
    for name, table in tables.items():
        tmp = raw_tmp.with_name(f"tidy-{name}")
        table.to_csv(tmp, index=False, encoding="utf-8")
        staged.append((tmp, folder / name))
    os.replace(raw_tmp, raw_path)
    for tmp, final in staged:
        os.replace(tmp, final)
    return folder, raw_path


def _raw_ext(resp: HTTPResponse, url: str, source: Source) -> str:
    for name in (resp.headers.get_filename(), urllib.parse.urlsplit(url).path):
        ext = Path(name or "").suffix.lower().lstrip(".")
        if ext in _RAW_EXTS:
            return ext
    return source.raw_ext


def _product(source: Source, entry: Mapping[str, str], dest: Path) -> Path:
    if source.output:
        return dest / source.output
    return dest / entry.get("raw", f"{RAW_DIR}/{source.name}.{source.raw_ext}")


def _unchanged(
    source: Source, url: str, entry: Mapping[str, object], dest: Path, why: str
) -> SourceResult:
    raw = dest / str(entry.get("raw", ""))
    size = raw.stat().st_size if raw.is_file() else 0
    return SourceResult(
        source.name,
        UNCHANGED,
        _product(source, entry, dest),
        size,
        f"{why}; kept the list of {entry.get('fetched_at', '?')}",
        url,
    )


# --------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------


def _conditional_headers(
    source: Source, url: str, entry: Mapping[str, str], dest: Path
) -> dict[str, str]:
    # Ask for changes only when the files of the last download are still in place.
    raw = dest / entry.get("raw", "-")
    if entry.get("url") != url or not raw.is_file() or not _product(source, entry, dest).exists():
        return {}
    headers = {}
    if entry.get("etag"):
        headers["If-None-Match"] = entry["etag"]
    if entry.get("last_modified"):
        headers["If-Modified-Since"] = entry["last_modified"]
    return headers


def _validators(resp: HTTPResponse, url: str) -> dict[str, str | None]:
    return {
        "url": url,
        "etag": resp.headers.get("ETag"),
        "last_modified": resp.headers.get("Last-Modified"),
    }


def _cache_entry(
    source: Source, resp: HTTPResponse, url: str, raw: Path, digest: str, size: int, dest: Path
) -> dict[str, object]:
    return {
        **_validators(resp, url),
        "sha256": digest,
        "bytes": size,
        "raw": raw.relative_to(dest).as_posix(),
        "output": source.output,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "publisher": source.publisher,
        "licence": source.licence,
    }


def _load_cache(dest: Path) -> dict[str, dict]:
    path = dest / CACHE_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        # A damaged cache only costs full downloads; the lists themselves are intact.
        return {}
    return data if isinstance(data, dict) else {}


def _save_cache(dest: Path, cache: Mapping[str, dict]) -> None:
    tmp = dest / f"{CACHE_FILE}.part"
    try:
        tmp.write_text(
            json.dumps(cache, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
        )
        os.replace(tmp, dest / CACHE_FILE)
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def default_dest() -> Path:
    """Return where ``atlas fetch`` writes by default: ``$ATLAS_DATA_DIR`` or ``build/opendata``.

    Never the snapshot shipped in the repository (``opendata/``): a download goes beside
    it, and is used once ``ATLAS_DATA_DIR`` points at it.
    """
    directory = config.data_dir()
    if config.is_snapshot(directory):
        return config.PROJECT_ROOT / "build" / "opendata"
    return directory


def run_fetch(
    dest: Path | None,
    only: list[str] | None,
    timeout: float = 30,
    progress: bool = True,
    *,
    base_url: str | None = None,
    deadline: float | None = None,
) -> int:
    """Run ``atlas fetch``: fetch, print the report, return the process exit code.

    Parameters
    ----------
    dest : Path or None
        Destination directory; ``None`` for :func:`default_dest`.
    only : list of str or None
        Source names (``--only``); ``None`` for every non-optional source.
    timeout : float
        Seconds allowed to connect and for each read.
    progress : bool
        Show a progress bar on stderr when it is a terminal.
    base_url : str, optional
        ``--base-url``; default: ``$ATLAS_FETCH_BASE_URL`` when set (see :func:`fetch`).
    deadline : float, optional
        ``--deadline``: seconds for each source as a whole; default: each source's own.

    Returns
    -------
    int
        0 when every source was downloaded or unchanged, 1 when some failed, 2 for an
        unknown source name, a bad timeout or deadline, or a base URL that is not http(s)
        (the message says which).

    """
    target = dest if dest is not None else default_dest()
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENV, "").strip() or None
    try:
        report = fetch(
            target, only, timeout=timeout, progress=progress, deadline=deadline, base_url=base_url
        )
    except ValueError as exc:
        print(f"atlas fetch: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"atlas fetch: cannot write to {target} ({exc}); choose another --dest", file=sys.stderr
        )
        return 1
    print(report)
    if report.ok:
        print(f"Use them with: ATLAS_DATA_DIR={target}")
    return 0 if report.ok else 1
