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


def test_map_page_search_opens_the_side_panel(real_build):
    at = _run("carte")
    assert "Roanne" not in [h.value for h in at.subheader]  # no side panel yet
    at.text_input[0].input("Roanne").run()
    assert not at.exception, at.exception
    assert at.selectbox[0].options[0].startswith("Roanne — Commune (42)")
    assert "Roanne" in [h.value for h in at.subheader]
    values = {m.label: m.value for m in at.metric}
    assert values["Communes"] == "1"
    assert int(values["Population"].replace(" ", "")) > 30_000
    assert any("Roannais Agglomération" in m.value for m in at.markdown)


def test_map_page_says_how_to_load_a_missing_layer(real_build):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["couches"] = "epci,ti"
    at.run()
    assert not at.exception, at.exception
    ti_built = (real_build / "ti.parquet").exists()
    warnings = [w.value for w in at.warning]
    if ti_built:
        assert not any("non chargée" in w for w in warnings)
    else:
        assert any("Territoires d'industrie" in w and "atlas fetch" in w for w in warnings)


def test_sources_page_shows_licence_and_faults(real_build):
    at = _run("sources")
    text = " ".join(m.value for m in at.markdown)
    assert "Licence Ouverte 2.0" in text
    assert "Anomalies des sources signalées" in text
