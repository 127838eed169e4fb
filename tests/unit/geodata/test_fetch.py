"""``atlas fetch`` against a real HTTP server on 127.0.0.1 serving fixture files."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import threading
import time
import tracemalloc
import urllib.parse
import zipfile
from collections import Counter
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from geodata import config
from geodata import fetch as F

ACV_CSV = (
    "insee_com,lib_com,id_acv,lib_acv,date_signature\n"
    "1004,Ambérieu-en-Bugey,acv-008,Ambérieu-en-Bugey,05-09-2024\n"
    "2A004,Ajaccio,acv-010,Ajaccio,\n"
    "01053,Bourg-en-Bresse,acv-035,Bourg-en-Bresse,27/03/2018\n"
).encode("utf-8-sig")
# The PVD list: semicolons, Windows-1252, no lib_pvd column (as in the 2025 edition).
PVD_CSV = (
    "insee_com;lib_com;id_pvd;date_signature\n"
    "01033;Valserhône;pvd-84-01-1;2021-03-12\n"
    "2B033;Bastia-Nord;pvd-94-2B-1;2021-05-03\n"
).encode("cp1252")


ENDLESS_LIMIT = 32_000_000  # what "endless" routes stop at, so old code ends too
DRIP = b"abcdefghijklmnopqrstuvwxyz" * 4
DRIP_BYTES = 15


class _Server(ThreadingHTTPServer):
    """Test server: never waits for a slow handler on close, keeps tracebacks quiet."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address) -> None:  # noqa: D102
        pass  # the client hanging up on /slow is expected


class _Handler(BaseHTTPRequestHandler):
    """Serve the fixture routes; anything else is a 404.

    /api/1/datasets/<slug>/ (a dict as JSON, bytes as they are, or a callable that
    answers), /files/<name> (ETag), /plain/<name> (no ETag), /truncated/<name>,
    /slow/<name>; hostile ones: /endless/ and /announced/ (no end, or a huge
    Content-Length), /drip-body/ and /drip-headers/ (one byte every 0.2 s),
    /zeros/<bytes>, /redirect?to=<url> (a 302 with an endless body).
    """

    def do_GET(self) -> None:  # noqa: N802
        srv = self.server
        parts = urllib.parse.urlsplit(self.path)
        path = parts.path
        srv.requests.append((path, self.headers.get("If-None-Match")))
        kind, _, name = path.strip("/").partition("/")
        slug = path.rstrip("/").rsplit("/", 1)[-1]
        if path.startswith("/api/1/datasets/") and slug in srv.datasets:
            self._dataset(srv.datasets[slug])
        elif kind in ("files", "plain", "truncated", "slow") and name in srv.files:
            getattr(self, f"_{kind}")(srv.files[name])
        elif kind in ("endless", "announced", "drip-body", "drip-headers", "zeros"):
            getattr(self, f"_{kind.replace('-', '_')}")(name)
        elif kind == "redirect":
            self._redirect(urllib.parse.parse_qs(parts.query)["to"][0])
        else:
            self.send_error(404, "Not Found")

    def _dataset(self, answer) -> None:
        if callable(answer):
            answer(self)
        else:
            body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self._send(body, etag=False)

    def _endless(self, _name: str, headers: dict[str, str] | None = None) -> None:
        """Send 64 kB blocks until the client hangs up (or ENDLESS_LIMIT, for old code)."""
        self.send_response(200)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.stream(b"x" * 65536, ENDLESS_LIMIT)

    def stream(self, block: bytes, limit: int, key: str = "endless") -> None:
        """Write ``block`` until ``limit`` bytes; count what was sent in server.sent."""
        self.close_connection = True
        sent = self.server.sent
        while sent.get(key, 0) < limit:
            self.wfile.write(block)
            sent[key] = sent.get(key, 0) + len(block)

    def _announced(self, name: str) -> None:
        self._endless(name, {"Content-Length": str(10**10)})

    def _drip_body(self, _name: str) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(DRIP)))
        self.end_headers()
        self._drip()
        self.wfile.write(DRIP[DRIP_BYTES:])

    def _drip_headers(self, _name: str) -> None:
        self.send_response(200)
        self.flush_headers()
        self.wfile.write(b"X-Slow: ")
        self._drip()
        self.wfile.write(b"\r\n")
        self.send_header("Content-Length", str(len(DRIP)))
        self.end_headers()
        self.wfile.write(DRIP)

    def _drip(self) -> None:
        # DRIP_BYTES bytes over 3 s: the per-read timeout (5 s) never trips.
        for byte in DRIP[:DRIP_BYTES]:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.2)

    def _zeros(self, size: str) -> None:
        self.send_response(200)
        self.send_header("Content-Length", size)
        self.end_headers()
        self.stream(bytes(65536), int(size), key="zeros")

    def _redirect(self, target: str) -> None:
        self.send_response(302)
        self.send_header("Location", target)
        self.end_headers()
        self.stream(b"<p>moved</p>" * 5000, ENDLESS_LIMIT, key="redirect")

    def _files(self, body: bytes) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self._send(body, etag=etag)

    def _plain(self, body: bytes) -> None:
        self._send(body, etag=False)

    def _truncated(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body) + 5000))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True

    def _slow(self, body: bytes) -> None:
        time.sleep(1.0)
        self._send(body, etag=False)

    def _send(self, body: bytes, etag: str | bool) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002, D102
        pass


@pytest.fixture
def opendata_server():
    """Start a threading HTTP server on 127.0.0.1 (port 0); fill `files` and `datasets`."""
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.files, srv.datasets, srv.requests, srv.sent = {}, {}, [], {}
    srv.base = f"http://127.0.0.1:{srv.server_address[1]}"
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _local(name: str, url: str, **changes) -> F.Source:
    """Return the catalogue's source ``name``, pointed at a direct local URL."""
    source = next(s for s in F.CATALOGUE if s.name == name)
    return replace(source, url=url, dataset=None, **changes)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _leftovers(dest: Path) -> list[str]:
    return [p.name for p in dest.rglob("*") if ".part" in p.name]


def _run(dest: Path, sources, **kw) -> F.FetchReport:
    return F.fetch(dest, sources=sources, progress=False, timeout=kw.pop("timeout", 5), **kw)


def test_download_writes_tidy_csv_with_string_codes(opendata_server, tmp_path):
    """ACV from a direct URL, PVD through the data.gouv API: tidy CSV, codes as strings."""
    opendata_server.files.update(
        {
            "acv.csv": ACV_CSV,
            "liste-pvd-com2025-20260427.csv": PVD_CSV,
            "liste-pvd-conventions.csv": b"id;x\n1;2\n",
        }
    )
    opendata_server.datasets["programme-petites-villes-de-demain"] = {
        "resources": [
            {
                "title": "Liste des conventions",
                "format": "csv",
                "last_modified": "2026-05-01",
                "url": f"{opendata_server.base}/files/liste-pvd-conventions.csv",
            },
            {
                "title": "Liste des communes bénéficiaires (COG 2025)",
                "format": "csv",
                "last_modified": "2026-04-27",
                "url": f"{opendata_server.base}/files/liste-pvd-com2025-20260427.csv",
            },
        ]
    }
    pvd = next(s for s in F.CATALOGUE if s.name == "pvd")
    report = _run(
        tmp_path,
        [_local("acv", f"{opendata_server.base}/files/acv.csv"), pvd],
        api_base=f"{opendata_server.base}/api/1",
    )

    assert report.ok, str(report)
    assert [r.status for r in report.results] == ["downloaded", "downloaded"]
    acv = _read(tmp_path / "acv.csv")
    assert list(acv.columns) == ["insee_com", "lib_com", "id_acv", "lib_acv", "date_signature"]
    assert acv["insee_com"].tolist() == ["01004", "2A004", "01053"]
    assert acv["date_signature"].tolist() == ["2024-09-05", "", "2018-03-27"]
    pvd_out = _read(tmp_path / "pvd.csv")
    assert pvd_out["insee_com"].tolist() == ["01033", "2B033"]
    assert pvd_out["lib_pvd"].tolist() == ["Valserhône", "Bastia-Nord"]  # from lib_com
    assert (tmp_path / "raw" / "acv.csv").read_bytes() == ACV_CSV
    assert (tmp_path / "raw" / "pvd.csv").read_bytes() == PVD_CSV
    cache = json.loads((tmp_path / ".fetch_cache.json").read_text())
    assert cache["acv"]["sha256"] == hashlib.sha256(ACV_CSV).hexdigest()
    assert cache["pvd"]["url"].endswith("liste-pvd-com2025-20260427.csv")
    assert "downloaded" in str(report) and _leftovers(tmp_path) == []


def test_second_run_is_unchanged_and_does_not_rewrite(opendata_server, tmp_path):
    """A rerun sends If-None-Match, gets 304, keeps the file; without ETag, sha256 decides."""
    opendata_server.files["acv.csv"] = ACV_CSV
    sources = [
        _local("acv", f"{opendata_server.base}/files/acv.csv"),
        _local("pvd", f"{opendata_server.base}/plain/acv.csv", normalise=_pvd_from_acv),
    ]
    assert _run(tmp_path, sources).ok
    stamps = {p: (tmp_path / p).stat().st_mtime_ns for p in ("acv.csv", "pvd.csv")}

    report = _run(tmp_path, sources)

    assert report["acv"].status == "unchanged" and "304" in report["acv"].message
    assert report["pvd"].status == "unchanged" and "sha256" in report["pvd"].message
    assert {p: (tmp_path / p).stat().st_mtime_ns for p in stamps} == stamps
    assert opendata_server.requests[-2][1] is not None  # the conditional request carried the ETag
    assert report["acv"].path == tmp_path / "acv.csv" and report.ok


def _pvd_from_acv(path: Path) -> pd.DataFrame:
    """Normalise as ACV: a stand-in, any tidy table will do for the caching test."""
    return F.normalise_table(path, F.ACV)


def test_404_is_reported_and_other_sources_continue(opendata_server, tmp_path):
    """A missing file fails with its status and URL; the next source still downloads."""
    opendata_server.files["acv.csv"] = ACV_CSV
    missing = f"{opendata_server.base}/files/gone.csv"
    acv = _local("acv", f"{opendata_server.base}/files/acv.csv")
    report = _run(tmp_path, [_local("pvd", missing), acv])

    assert not report.ok
    assert report["pvd"].status == "failed"
    assert "404" in report["pvd"].message and missing in report["pvd"].message
    assert report["acv"].status == "downloaded"
    assert not (tmp_path / "pvd.csv").exists()
    assert "1 downloaded, 0 unchanged, 1 failed" in str(report)


def test_truncated_transfer_fails_and_keeps_previous_file(opendata_server, tmp_path):
    """Fewer bytes than Content-Length: failed, previous list intact, no temp file left."""
    opendata_server.files["acv.csv"] = ACV_CSV
    assert _run(tmp_path, [_local("acv", f"{opendata_server.base}/files/acv.csv")]).ok
    before = (tmp_path / "acv.csv").read_bytes()
    raw_before = (tmp_path / "raw" / "acv.csv").read_bytes()

    report = _run(tmp_path, [_local("acv", f"{opendata_server.base}/truncated/acv.csv")])

    assert report["acv"].status == "failed"
    assert "truncated" in report["acv"].message
    assert (tmp_path / "acv.csv").read_bytes() == before
    assert (tmp_path / "raw" / "acv.csv").read_bytes() == raw_before
    assert _leftovers(tmp_path) == []
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == ["acv.csv"]


def test_connection_refused_says_offline(tmp_path):
    """A closed port gives the offline message, not an exception."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    report = _run(tmp_path, [_local("acv", f"http://127.0.0.1:{port}/acv.csv")])

    result = report["acv"]
    assert result.status == "failed"
    assert f"cannot reach 127.0.0.1:{port}" in result.message
    assert "you seem to be offline" in result.message
    assert f"the lists in {tmp_path} are unchanged" in result.message


def test_slow_server_times_out(opendata_server, tmp_path):
    """A server slower than the timeout fails with a timeout message."""
    opendata_server.files["acv.csv"] = ACV_CSV
    started = time.monotonic()
    report = _run(tmp_path, [_local("acv", f"{opendata_server.base}/slow/acv.csv")], timeout=0.2)

    assert report["acv"].status == "failed"
    assert "timed out after 0.2 s" in report["acv"].message
    assert time.monotonic() - started < 1.0
    assert _leftovers(tmp_path) == []


def test_changed_format_names_the_missing_column(opendata_server, tmp_path):
    """A renamed header fails with the missing column and the columns found; no file written."""
    opendata_server.files["acv.csv"] = b"CODE_X,lib_com,id_acv\n01004,Amberieu,acv-008\n"
    report = _run(tmp_path, [_local("acv", f"{opendata_server.base}/files/acv.csv")])

    message = report["acv"].message
    assert report["acv"].status == "failed"
    assert "acv.csv: missing expected column(s) insee_com" in message
    assert "columns found: ['CODE_X', 'lib_com', 'id_acv']" in message
    assert not (tmp_path / "acv.csv").exists() and _leftovers(tmp_path) == []
    raw = tmp_path / "changed.csv"
    raw.write_bytes(opendata_server.files["acv.csv"])
    with pytest.raises(ValueError, match="missing expected column.*insee_com"):
        F.normalise_table(raw, F.ACV)


def test_unknown_only_name_lists_valid_names(tmp_path):
    """An unknown --only name is a ValueError listing the valid names; nothing is fetched."""
    with pytest.raises(ValueError, match=r"\['nope'\].*valid names: acv, pvd, ti"):
        F.fetch(tmp_path, only=["acv", "nope"], progress=False)
    assert F.run_fetch(tmp_path, ["nope"], timeout=1, progress=False) == 2
    assert not (tmp_path / ".fetch_cache.json").exists()


def test_admin_express_only_when_named():
    """The large IGN archive is fetched only when named with --only."""
    assert "admin_express" not in [s.name for s in F.select_sources(None)]
    assert [s.name for s in F.select_sources(["admin_express"])] == ["admin_express"]
    assert Counter(s.name for s in F.CATALOGUE)["banatic"] == 1


def test_missing_datagouv_resource_lists_what_was_found(opendata_server, tmp_path):
    """A dataset without a matching resource fails, naming the resources it has."""
    opendata_server.datasets["programme-action-coeur-de-ville"] = {
        "resources": [
            {"title": "Carte", "format": "pdf", "url": f"{opendata_server.base}/files/carte.pdf"}
        ]
    }
    acv = next(s for s in F.CATALOGUE if s.name == "acv")
    report = _run(tmp_path, [acv], api_base=f"{opendata_server.base}/api/1")

    assert report["acv"].status == "failed"
    assert "no resource matches ['liste-acv-com']" in report["acv"].message
    assert "('Carte', 'pdf')" in report["acv"].message


def test_banatic_keeps_petr_and_their_epci(tmp_path):
    """BANATIC XLSX: only PETR rows, only grouping members, SIREN as 9-digit strings."""
    rows = pd.DataFrame(
        {
            "Département siège": ["01 - Ain"] * 4,
            "N° SIREN": ["200042083", "200042083", "200042083", "240100883"],
            "Nom du groupement": ["PETR du Bugey", "PETR du Bugey", "PETR du Bugey", "CC Ain"],
            "Nature juridique": ["PETR", "PETR", "PETR", "CC"],
            "Siren membre": ["240100750", "200040350", "210100012", "210100012"],
            "Nom membre": ["CC Bugey Sud", "CC Plateau", "Ambérieu", "Ambérieu"],
            "Catégorie des membres du groupement": [
                "groupement",
                "groupement",
                "commune",
                "commune",
            ],
        }
    )
    path = tmp_path / "banatic.xlsx"
    rows.to_excel(path, index=False)

    out = F.normalise_banatic(path)

    assert list(out.columns) == ["id_petr", "lib_petr", "siren_membre", "lib_membre"]
    assert out["siren_membre"].tolist() == ["240100750", "200040350"]
    assert set(out["id_petr"]) == {"200042083"}
    rows["Nature juridique"] = "CC"
    rows.to_excel(path, index=False)
    with pytest.raises(ValueError, match="no grouping of legal nature PETR"):
        F.normalise_banatic(path)


def test_bad_codes_are_reported_row_by_row(tmp_path):
    """A code that cannot be an INSEE code is reported with its line and value."""
    path = tmp_path / "acv.csv"
    path.write_text("insee_com,lib_com,id_acv\n01004,A,acv-1\n123,B,acv-2\n", encoding="utf-8")
    expected = r"acv.csv: 1 invalid code\(s\), e.g. line 3, insee_com='123'"
    with pytest.raises(ValueError, match=expected):
        F.normalise_table(path, F.ACV)


# --------------------------------------------------------------------------------------
# A hostile server (issue 15)
# --------------------------------------------------------------------------------------


def _raw_source(url: str | None = None, **changes) -> F.Source:
    """Return a source kept as downloaded (as ADMIN EXPRESS is), at a local URL."""
    return _local("admin_express", url or "http://127.0.0.1:9/x.7z", optional=False, **changes)


def _raw_files(dest: Path) -> list[str]:
    return sorted(p.name for p in (dest / "raw").iterdir())


@pytest.mark.parametrize("route", ["endless", "announced"])
def test_endless_response_is_stopped_at_the_cap(opendata_server, tmp_path, route):
    """A body without end (or announcing 10 GB) stops at the cap: one line, no file left."""
    url = f"{opendata_server.base}/{route}/x.7z"
    report = _run(tmp_path, [_raw_source(url, max_bytes=1_000_000)])

    result = report["admin_express"]
    assert result.status == "failed"
    assert "more than the 1.0 MB allowed for admin_express" in result.message
    assert url in result.message and "\n" not in result.message
    assert _raw_files(tmp_path) == [] and _leftovers(tmp_path) == []
    # The client hung up: the server could not push the whole 32 MB it had to send.
    assert opendata_server.sent.get("endless", 0) < ENDLESS_LIMIT


@pytest.mark.parametrize("route", ["drip-body", "drip-headers"])
def test_dripping_server_is_abandoned_at_the_deadline(opendata_server, tmp_path, route):
    """One byte every 0.2 s never trips the 5 s read timeout; the 1 s deadline does."""
    url = f"{opendata_server.base}/{route}/x.7z"
    report = _run(tmp_path, [_raw_source(url)], timeout=5, deadline=1)

    result = report["admin_express"]
    assert result.status == "failed"
    assert "abandoned after 1 s, the deadline for one file" in result.message
    assert "--deadline" in result.message
    assert _raw_files(tmp_path) == [] and _leftovers(tmp_path) == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_silent_server_is_abandoned_at_the_deadline(tmp_path, listener, scheme):
    """A server that accepts and never answers (nor a TLS handshake) meets the deadline."""
    url = f"{scheme}://127.0.0.1:{listener.getsockname()[1]}/x.7z"
    report = _run(tmp_path, [_raw_source(url)], timeout=5, deadline=1)

    result = report["admin_express"]
    assert result.status == "failed"
    assert "the deadline for one file" in result.message and "--deadline" in result.message
    assert _raw_files(tmp_path) == [] and _leftovers(tmp_path) == []


def test_drip_within_the_deadline_is_downloaded(opendata_server, tmp_path):
    """The deadline bounds the whole transfer, not each byte: a slow file in time is kept."""
    url = f"{opendata_server.base}/drip-body/x.7z"
    report = _run(tmp_path, [_raw_source(url)], deadline=30)

    assert report["admin_express"].status == "downloaded"
    assert (tmp_path / "raw" / "admin_express.7z").read_bytes() == DRIP


def test_large_download_is_streamed_to_disk(opendata_server, tmp_path):
    """50 MB under a cap that allows them are written whole, never held in memory."""
    size = 50_000_000
    url = f"{opendata_server.base}/zeros/{size}"
    tracemalloc.start()
    try:
        report = _run(tmp_path, [_raw_source(url, max_bytes=60_000_000)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert report["admin_express"].status == "downloaded", report["admin_express"].message
    assert (tmp_path / "raw" / "admin_express.7z").stat().st_size == size
    assert peak < 4_000_000, peak


def test_normalising_does_not_hold_copies_of_the_file(tmp_path):
    """An 8 MB list is normalised without its bytes, text and a 4-byte copy in memory."""
    path = tmp_path / "acv.csv"
    rows = [f"{1000 + i:05d},Commune {i},acv-{i}," + "é" * 2000 for i in range(2000)]
    path.write_text("insee_com,lib_com,id_acv,notes\n" + "\n".join(rows) + "\n", encoding="utf-8")
    tracemalloc.start()
    try:
        out = F.normalise_table(path, F.ACV)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert len(out) == 2000 and out["insee_com"].iloc[0] == "01000"
    # Before: the bytes, the decoded text and a StringIO (4 bytes per character), 5x.
    assert peak < 2 * path.stat().st_size


def _dataset_source(slug: str) -> F.Source:
    """Return a raw source found through the data.gouv.fr API (any CSV resource)."""
    return replace(_raw_source(), url=None, dataset=slug, match=(), formats=("csv",))


def _endless_json(handler: _Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    handler.wfile.write(b'{"resources": [')
    handler.stream(
        b'{"title": "x", "format": "csv", "url": "http://127.0.0.1:9/x"},' * 500, ENDLESS_LIMIT
    )


@pytest.mark.parametrize(
    "answer, expected",
    [
        (_endless_json, "more than the 5.0 MB allowed for the dataset JSON of admin_express"),
        (b"[" * 100_000, "did not return dataset JSON (nested too deeply)"),
    ],
)
def test_hostile_dataset_json_fails_cleanly(opendata_server, tmp_path, answer, expected):
    """An endless or absurdly nested dataset JSON is a failed source, not a crash."""
    opendata_server.datasets["hostile"] = answer
    report = _run(tmp_path, [_dataset_source("hostile")], api_base=f"{opendata_server.base}/api/1")

    assert report["admin_express"].status == "failed"
    assert expected in report["admin_express"].message
    assert _raw_files(tmp_path) == []


def test_file_url_listed_by_the_api_is_not_opened(opendata_server, tmp_path):
    """A dataset JSON naming file:///etc/passwd is refused; nothing is copied."""
    opendata_server.datasets["hostile"] = {
        "resources": [{"title": "Liste", "format": "csv", "url": "file:///etc/passwd"}]
    }
    report = _run(tmp_path, [_dataset_source("hostile")], api_base=f"{opendata_server.base}/api/1")

    result = report["admin_express"]
    assert result.status == "failed"
    assert "refused dataset 'hostile' lists 'file:///etc/passwd'" in result.message
    assert "only http:// and https://" in result.message
    assert _raw_files(tmp_path) == []


@pytest.fixture
def listener():
    """A TCP port on 127.0.0.1 that accepts connections but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        sock.setblocking(False)
        yield sock


def _was_contacted(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


@pytest.mark.parametrize("scheme", ["file", "ftp", "data"])
def test_redirect_to_another_scheme_is_refused(opendata_server, tmp_path, listener, scheme):
    """A redirect to file://, ftp:// or data: is refused, and nothing is contacted."""
    port = listener.getsockname()[1]
    target = {
        "file": "file:///etc/passwd",
        "ftp": f"ftp://127.0.0.1:{port}/x.7z",
        "data": "data:text/plain,secret",
    }[scheme]
    url = f"{opendata_server.base}/redirect?" + urllib.parse.urlencode({"to": target})
    report = _run(tmp_path, [_raw_source(url)])

    result = report["admin_express"]
    assert result.status == "failed"
    assert f"refused redirect from {url} to '{target}'" in result.message
    assert _raw_files(tmp_path) == [] and not _was_contacted(listener)


def test_ftp_source_url_is_refused(tmp_path, listener):
    """A catalogue entry (or --base-url) in ftp:// is refused before any connection."""
    url = f"ftp://127.0.0.1:{listener.getsockname()[1]}/x.7z"
    report = _run(tmp_path, [_raw_source(url)])

    assert report["admin_express"].status == "failed"
    assert f"refused URL '{url}'" in report["admin_express"].message
    assert not _was_contacted(listener)


def test_redirect_body_is_not_read(opendata_server, tmp_path):
    """A 302 whose body never ends is followed without reading that body."""
    opendata_server.files["x.7z"] = b"archive"
    target = f"{opendata_server.base}/files/x.7z"
    url = f"{opendata_server.base}/redirect?" + urllib.parse.urlencode({"to": target})
    report = _run(tmp_path, [_raw_source(url)])

    assert report["admin_express"].status == "downloaded", report["admin_express"].message
    assert (tmp_path / "raw" / "admin_express.7z").read_bytes() == b"archive"
    assert opendata_server.sent.get("redirect", 0) < ENDLESS_LIMIT


def _workbook(path: Path) -> None:
    pd.DataFrame({"N° SIREN": ["200042083"], "Nom du groupement": ["PETR du Bugey"]}).to_excel(
        path, index=False
    )


def test_xlsx_bomb_is_refused_before_opening(tmp_path):
    """A workbook whose sheet unpacks to 500 times its size is refused, not parsed."""
    plain, bomb = tmp_path / "plain.xlsx", tmp_path / "bomb.xlsx"
    _workbook(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 5_000_000)
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)

    assert list(F.read_table(plain).columns) == ["N° SIREN", "Nom du groupement"]
    with pytest.raises(ValueError, match=r"bomb.xlsx: refused, .* that unpack to 5\.\d MB"):
        F.read_table(bomb)


def test_xlsx_with_too_many_parts_is_refused(tmp_path):
    """A "workbook" of 1,001 parts is refused, naming the count."""
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        for i in range(1001):  # XLSX_MAX_ENTRIES + 1
            out.writestr(f"xl/part{i}.xml", b"<a/>")

    with pytest.raises(ValueError, match="parts.xlsx: refused, a workbook of 1,001 parts"):
        F.read_table(path)


def test_leftovers_of_a_killed_run_are_removed(opendata_server, tmp_path):
    """A temporary folder left by a killed run (OOM) is removed by the next run."""
    stale = tmp_path / "raw" / ".acv.k1ll3d.part"
    stale.mkdir(parents=True)
    (stale / "acv.csv").write_bytes(b"x" * 1000)
    opendata_server.files["acv.csv"] = ACV_CSV

    report = _run(tmp_path, [_local("acv", f"{opendata_server.base}/files/acv.csv")])

    assert report.ok and _leftovers(tmp_path) == []
    assert _raw_files(tmp_path) == ["acv.csv"]


def _acv_dataset(srv) -> None:
    """List the ACV file on data.gouv.fr's static host, as the real API does."""
    srv.files["liste-acv-com2025.csv"] = ACV_CSV
    srv.datasets["programme-action-coeur-de-ville"] = {
        "resources": [
            {
                "title": "Liste des communes",
                "format": "csv",
                "url": "https://static.data.gouv.fr/files/liste-acv-com2025.csv?v=2",
            }
        ]
    }


@pytest.mark.parametrize("how", ["option", "environment"])
def test_base_url_sends_every_request_to_it(opendata_server, tmp_path, monkeypatch, how):
    """With a base URL, the real catalogue is fetched from 127.0.0.1 only, paths kept."""
    _acv_dataset(opendata_server)
    monkeypatch.delenv(F.BASE_URL_ENV, raising=False)
    if how == "environment":
        monkeypatch.setenv(F.BASE_URL_ENV, opendata_server.base)
    base = opendata_server.base if how == "option" else None

    code = F.run_fetch(tmp_path, ["acv"], timeout=5, progress=False, base_url=base)

    assert code == 0
    assert _read(tmp_path / "acv.csv")["insee_com"].tolist() == ["01004", "2A004", "01053"]
    assert [path for path, _ in opendata_server.requests] == [
        "/api/1/datasets/programme-action-coeur-de-ville/",
        "/files/liste-acv-com2025.csv",
    ]
    cache = json.loads((tmp_path / ".fetch_cache.json").read_text())
    assert cache["acv"]["url"] == f"{opendata_server.base}/files/liste-acv-com2025.csv?v=2"


@pytest.mark.parametrize("base", ["file:///tmp", "ftp://127.0.0.1/", "127.0.0.1:8000"])
def test_base_url_must_be_http(tmp_path, monkeypatch, capsys, base):
    """A base URL that is not http(s) is refused up front (exit code 2), naming it."""
    monkeypatch.setenv(F.BASE_URL_ENV, base)

    assert F.run_fetch(tmp_path, ["acv"], timeout=1, progress=False) == 2
    err = capsys.readouterr().err
    assert f"base URL must be an http:// or https:// URL with a host, got {base!r}" in err
    assert not (tmp_path / ".fetch_cache.json").exists()


def test_banatic_is_fetched_into_the_folder_layout_the_build_reads(opendata_server, tmp_path):
    """The BANATIC export becomes banatic/groupements_<year>.csv and adhesions_<year>.csv."""
    from geodata.sources import banatic

    rows = pd.DataFrame(
        {
            "N° SIREN": ["200042083", "200042083"],
            "Nom du groupement": ["PETR du Bugey"] * 2,
            "Nature juridique": ["PETR", "PETR"],
            "Siren membre": ["240100750", "210100012"],
            "Nom membre": ["CC Bugey Sud", "Ambérieu"],
            "Catégorie des membres du groupement": ["groupement", "commune"],
        }
    )
    buffer = io.BytesIO()
    rows.to_excel(buffer, index=False)
    opendata_server.files["France.xlsx"] = buffer.getvalue()
    source = _local("banatic", f"{opendata_server.base}/files/France.xlsx")
    assert _run(tmp_path, [source]).ok

    files = banatic.find_files(tmp_path)
    assert files is not None and files.groupements.parent == tmp_path / "banatic"
    members, problems = banatic.read_file(files.adhesions, banatic.ADHESIONS)
    assert (
        members[["siren_groupement", "siren_membre"]].values.tolist()
        == [["240100750", "200042083"]]
        and problems == []
    )
    assert _run(tmp_path, [source])["banatic"].status == "unchanged"


def test_fetch_never_writes_into_the_shipped_snapshot(monkeypatch, tmp_path):
    monkeypatch.delenv("ATLAS_DATA_DIR", raising=False)
    assert F.default_dest() == config.PROJECT_ROOT / "build" / "opendata"
    assert not config.is_snapshot(F.default_dest())
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    assert F.default_dest() == tmp_path
