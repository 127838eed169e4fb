"""The Streamlit settings every way of serving the atlas shares (`.streamlit/config.toml`)."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def _config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_no_file_watcher_walks_node_modules_and_the_build():
    # the default watcher logged thousands of "Inotify queue overflowed" lines under `make run`
    assert _config()["server"]["fileWatcherType"] == "none"


def test_no_usage_statistics_leave_the_host_and_static_files_are_served():
    config = _config()
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableStaticServing"] is True
