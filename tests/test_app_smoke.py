"""AppTest smoke tests: every page renders without exception on the real build."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.integration
APP = Path(__file__).resolve().parent.parent / "app.py"


def _run(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    if page != "carte":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_map_page_shows_the_counts(real_build):
    at = _run("carte")
    values = {m.label: m.value for m in at.metric}
    assert values["EPCI"] == "1 253"
    assert values["Communes"] == "34 875"


def test_sources_page_shows_licence_and_faults(real_build):
    at = _run("sources")
    text = " ".join(m.value for m in at.markdown)
    assert "Licence Ouverte 2.0" in text
    assert "Anomalies des sources signalées" in text
