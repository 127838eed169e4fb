"""A client that does not trust the server: http(s) only, bytes capped, a deadline per file."""

from __future__ import annotations

import http.client
import io
import math
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.client import HTTPResponse
from pathlib import Path

from geodata.fetch.limits import CHUNK, DEADLINE, RAW_DIR, _human


@dataclass(frozen=True)
class _Options:
    """How a run downloads: destination, timeouts, API and base URLs, current deadline."""

    dest: Path
    timeout: float
    live: bool
    api_base: str
    deadline: float | None = None  # None: each source's own
    base_url: str | None = None
    end: float = math.inf  # time.monotonic() at which the current source is abandoned


class FetchError(Exception):
    """A source could not be fetched; the message says why and what to do."""


class DeadlineExceeded(TimeoutError):
    """The whole transfer of one source outlasted its deadline (:attr:`Source.deadline`)."""


# --------------------------------------------------------------------------------------
# A client that does not trust the server: http(s) only, bytes capped, a deadline per file
# --------------------------------------------------------------------------------------


def _is_http(url: str) -> bool:
    parts = urllib.parse.urlsplit(str(url))
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def check_url(url: str, what: str = "URL") -> str:
    """Return ``url`` when it is an ``http://`` or ``https://`` URL with a host.

    ``urllib`` would also open ``file://``, ``ftp://`` and ``data:`` URLs, and a server
    or the dataset JSON could name one (``file:///etc/passwd``).

    Parameters
    ----------
    url : str
        The URL about to be opened.
    what : str
        Where it comes from, for the message ("URL", "redirect from ... to").

    Raises
    ------
    FetchError
        Naming the URL, for any other scheme or a URL without a host.

    """
    if not _is_http(url):
        raise FetchError(
            f"refused {what} {str(url)[:200]!r}: only http:// and https:// URLs are fetched"
        )
    return url


def _rebase(url: str, opts: _Options) -> str:
    """Send ``url`` to ``opts.base_url`` when one is set: same path and query."""
    if not opts.base_url:
        return url
    base, parts = urllib.parse.urlsplit(opts.base_url), urllib.parse.urlsplit(url)
    path = base.path.rstrip("/") + (parts.path or "/")
    return urllib.parse.urlunsplit((base.scheme, base.netloc, path, parts.query, ""))


def _sweep_parts(dest: Path) -> None:
    """Remove the temporary folders a killed run left in ``raw/`` (``.<source>.*.part``).

    A run removes its own on any failure; only a killed one (out of memory, power cut)
    leaves them. Two runs must not share a destination (the cache is shared too).
    """
    for stale in (dest / RAW_DIR).glob(".*.part"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def _announced(resp: HTTPResponse) -> int | None:
    length = resp.headers.get("Content-Length")
    return int(length) if length and length.isdigit() else None


def _chunks(resp: HTTPResponse, cap: int, url: str, what: str) -> Iterator[bytes]:
    """Yield the body in chunks of at most :data:`CHUNK` bytes, never more than ``cap``.

    Raises
    ------
    FetchError
        When the server announces or sends more than ``cap`` bytes; at most ``cap + 1``
        bytes are read.

    """
    total = _announced(resp)
    if total is not None and total > cap:
        raise FetchError(
            f"refused: {url} announces {_human(total)}, more than the "
            f"{_human(cap)} allowed for {what}; nothing was downloaded"
        )
    size = 0
    while chunk := resp.read(min(CHUNK, cap + 1 - size)):
        size += len(chunk)
        if size > cap:
            raise FetchError(
                f"stopped at {_human(cap)}: {url} sends more than the "
                f"{_human(cap)} allowed for {what}; nothing was kept"
            )
        yield chunk


def _left(end: float) -> float:
    """Seconds left before ``end`` (a ``time.monotonic()``); raise once it has passed."""
    left = end - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded("the deadline for this file has passed")
    return left


class _DeadlineStream(io.RawIOBase):
    """A socket's reads, each waiting at most ``timeout`` and never past ``end``.

    A socket timeout bounds one ``recv``; a server sending one byte per second never
    trips it. Checking the clock before each ``recv`` bounds the status line, the
    headers and the body as a whole.
    """

    def __init__(self, sock, end: float, timeout: float) -> None:
        super().__init__()
        self._sock, self._end, self._timeout = sock, end, timeout
        self._raw = sock.makefile("rb", buffering=0)  # counts as a use of the socket

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def readinto(self, buffer) -> int | None:
        self._sock.settimeout(min(self._timeout, _left(self._end)))
        try:
            return self._raw.readinto(buffer)
        except TimeoutError:
            if time.monotonic() >= self._end:
                raise DeadlineExceeded("the deadline for this file has passed") from None
            raise

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """An HTTP response read through a :class:`_DeadlineStream`."""

    def __init__(self, sock, *args, end: float, timeout: float, **kwargs) -> None:
        super().__init__(sock, *args, **kwargs)
        plain, self.fp = self.fp, io.BufferedReader(_DeadlineStream(sock, end, timeout))
        plain.close()


class _DeadlineConnection:
    """Mixin for ``http.client`` connections: connecting and reading end by ``end``."""

    def __init__(self, *args, end: float, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._end = end
        timeout = self.timeout if isinstance(self.timeout, int | float) else DEADLINE
        self.response_class = partial(_DeadlineResponse, end=end, timeout=timeout)

    def connect(self) -> None:
        if isinstance(self.timeout, int | float):
            self.timeout = min(self.timeout, _left(self._end))
        super().connect()


class _HTTPConnection(_DeadlineConnection, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineConnection, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, end: float) -> None:
        super().__init__()
        self._end = end

    def do_open(self, http_class, req, **kwargs):
        return super().do_open(partial(_HTTPConnection, end=self._end), req, **kwargs)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, end: float) -> None:
        super().__init__()
        self._end = end

    def do_open(self, http_class, req, **kwargs):
        return super().do_open(partial(_HTTPSConnection, end=self._end), req, **kwargs)


class _HttpOnlyRedirect(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) URLs only, without reading the redirect's body."""

    def http_error_302(self, req, fp, code, msg, headers):
        location = headers.get("Location") or headers.get("URI")
        if location:
            target = urllib.parse.urljoin(req.full_url, location)
            if not _is_http(target):
                fp.close()
                check_url(target, f"redirect from {req.full_url} to")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        fp.close()  # urllib would read its body whole: an endless one never ends
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(end: float) -> urllib.request.OpenerDirector:
    """Return an opener for http(s) only (no file, ftp or data handler), ending by ``end``."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _HTTPHandler(end),
        _HTTPSHandler(end),
        urllib.request.HTTPDefaultErrorHandler(),
        _HttpOnlyRedirect(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener
