"""``atlas fetch`` against a real HTTP server on 127.0.0.1 serving fixture files."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

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


class _Server(ThreadingHTTPServer):
    """Test server: never waits for a slow handler on close, keeps tracebacks quiet."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address) -> None:  # noqa: D102
        pass  # the client hanging up on /slow is expected


class _Handler(BaseHTTPRequestHandler):
    """Serve the fixture routes; anything else is a 404.

    /api/1/datasets/<slug>/, /files/<name> (ETag), /plain/<name> (no ETag),
    /truncated/<name>, /slow/<name>.
    """

    def do_GET(self) -> None:  # noqa: N802
        srv = self.server
        path = urllib.parse.urlsplit(self.path).path
        srv.requests.append((path, self.headers.get("If-None-Match")))
        kind, _, name = path.strip("/").partition("/")
        slug = path.rstrip("/").rsplit("/", 1)[-1]
        if path.startswith("/api/1/datasets/") and slug in srv.datasets:
            self._send(json.dumps(srv.datasets[slug]).encode(), etag=False)
        elif kind in ("files", "plain", "truncated", "slow") and name in srv.files:
            getattr(self, f"_{kind}")(srv.files[name])
        else:
            self.send_error(404, "Not Found")

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
def server():
    """Start a threading HTTP server on 127.0.0.1 (port 0); fill `files` and `datasets`."""
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.files, srv.datasets, srv.requests = {}, {}, []
    srv.base = f"http://127.0.0.1:{srv.server_address[1]}"
    thread = threading.Thread(
        target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
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


def test_download_writes_tidy_csv_with_string_codes(server, tmp_path):
    """ACV from a direct URL, PVD through the data.gouv API: tidy CSV, codes as strings."""
    server.files.update({"acv.csv": ACV_CSV, "liste-pvd-com2025-20260427.csv": PVD_CSV,
                         "liste-pvd-conventions.csv": b"id;x\n1;2\n"})
    server.datasets["programme-petites-villes-de-demain"] = {"resources": [
        {"title": "Liste des conventions", "format": "csv", "last_modified": "2026-05-01",
         "url": f"{server.base}/files/liste-pvd-conventions.csv"},
        {"title": "Liste des communes bénéficiaires (COG 2025)", "format": "csv",
         "last_modified": "2026-04-27",
         "url": f"{server.base}/files/liste-pvd-com2025-20260427.csv"},
    ]}
    pvd = next(s for s in F.CATALOGUE if s.name == "pvd")
    report = _run(tmp_path, [_local("acv", f"{server.base}/files/acv.csv"), pvd],
                  api_base=f"{server.base}/api/1")

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


def test_second_run_is_unchanged_and_does_not_rewrite(server, tmp_path):
    """A rerun sends If-None-Match, gets 304, keeps the file; without ETag, sha256 decides."""
    server.files["acv.csv"] = ACV_CSV
    sources = [_local("acv", f"{server.base}/files/acv.csv"),
               _local("pvd", f"{server.base}/plain/acv.csv", normalise=_pvd_from_acv)]
    assert _run(tmp_path, sources).ok
    stamps = {p: (tmp_path / p).stat().st_mtime_ns for p in ("acv.csv", "pvd.csv")}

    report = _run(tmp_path, sources)

    assert report["acv"].status == "unchanged" and "304" in report["acv"].message
    assert report["pvd"].status == "unchanged" and "sha256" in report["pvd"].message
    assert {p: (tmp_path / p).stat().st_mtime_ns for p in stamps} == stamps
    assert server.requests[-2][1] is not None  # the conditional request carried the ETag
    assert report["acv"].path == tmp_path / "acv.csv" and report.ok


def _pvd_from_acv(path: Path) -> pd.DataFrame:
    """Normalise as ACV: a stand-in, any tidy table will do for the caching test."""
    return F.normalise_table(path, F.ACV)


def test_404_is_reported_and_other_sources_continue(server, tmp_path):
    """A missing file fails with its status and URL; the next source still downloads."""
    server.files["acv.csv"] = ACV_CSV
    missing = f"{server.base}/files/gone.csv"
    report = _run(tmp_path, [_local("pvd", missing), _local("acv", f"{server.base}/files/acv.csv")])

    assert not report.ok
    assert report["pvd"].status == "failed"
    assert "404" in report["pvd"].message and missing in report["pvd"].message
    assert report["acv"].status == "downloaded"
    assert not (tmp_path / "pvd.csv").exists()
    assert "1 downloaded, 0 unchanged, 1 failed" in str(report)


def test_truncated_transfer_fails_and_keeps_previous_file(server, tmp_path):
    """Fewer bytes than Content-Length: failed, previous list intact, no temp file left."""
    server.files["acv.csv"] = ACV_CSV
    assert _run(tmp_path, [_local("acv", f"{server.base}/files/acv.csv")]).ok
    before = (tmp_path / "acv.csv").read_bytes()
    raw_before = (tmp_path / "raw" / "acv.csv").read_bytes()

    report = _run(tmp_path, [_local("acv", f"{server.base}/truncated/acv.csv")])

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


def test_slow_server_times_out(server, tmp_path):
    """A server slower than the timeout fails with a timeout message."""
    server.files["acv.csv"] = ACV_CSV
    started = time.monotonic()
    report = _run(tmp_path, [_local("acv", f"{server.base}/slow/acv.csv")], timeout=0.2)

    assert report["acv"].status == "failed"
    assert "timed out after 0.2 s" in report["acv"].message
    assert time.monotonic() - started < 1.0
    assert _leftovers(tmp_path) == []


def test_changed_format_names_the_missing_column(server, tmp_path):
    """A renamed header fails with the missing column and the columns found; no file written."""
    server.files["acv.csv"] = b"CODE_X,lib_com,id_acv\n01004,Amberieu,acv-008\n"
    report = _run(tmp_path, [_local("acv", f"{server.base}/files/acv.csv")])

    message = report["acv"].message
    assert report["acv"].status == "failed"
    assert "acv.csv: missing expected column(s) insee_com" in message
    assert "columns found: ['CODE_X', 'lib_com', 'id_acv']" in message
    assert not (tmp_path / "acv.csv").exists() and _leftovers(tmp_path) == []
    raw = tmp_path / "changed.csv"
    raw.write_bytes(server.files["acv.csv"])
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


def test_missing_datagouv_resource_lists_what_was_found(server, tmp_path):
    """A dataset without a matching resource fails, naming the resources it has."""
    server.datasets["programme-action-coeur-de-ville"] = {"resources": [
        {"title": "Carte", "format": "pdf", "url": f"{server.base}/files/carte.pdf"}]}
    acv = next(s for s in F.CATALOGUE if s.name == "acv")
    report = _run(tmp_path, [acv], api_base=f"{server.base}/api/1")

    assert report["acv"].status == "failed"
    assert "no resource matches ['liste-acv-com']" in report["acv"].message
    assert "('Carte', 'pdf')" in report["acv"].message


def test_banatic_keeps_petr_and_their_epci(tmp_path):
    """BANATIC XLSX: only PETR rows, only grouping members, SIREN as 9-digit strings."""
    rows = pd.DataFrame({
        "Département siège": ["01 - Ain"] * 4,
        "N° SIREN": ["200042083", "200042083", "200042083", "240100883"],
        "Nom du groupement": ["PETR du Bugey", "PETR du Bugey", "PETR du Bugey", "CC Ain"],
        "Nature juridique": ["PETR", "PETR", "PETR", "CC"],
        "Siren membre": ["240100750", "200040350", "210100012", "210100012"],
        "Nom membre": ["CC Bugey Sud", "CC Plateau", "Ambérieu", "Ambérieu"],
        "Catégorie des membres du groupement": ["groupement", "groupement", "commune", "commune"],
    })
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
