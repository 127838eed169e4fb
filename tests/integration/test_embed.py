"""The public embed on the real build: the map alone, and the snippet on the map page."""

from __future__ import annotations

import html
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from geodata.config import PROJECT_ROOT
from layers import site as embed
from pages.ui import embed_panel

pytestmark = pytest.mark.integration


def test_embed_page_is_the_map_alone_and_the_carte_page_offers_the_snippet(real_build):
    app = str(PROJECT_ROOT / "app.py")
    at = AppTest.from_file(app, default_timeout=60)
    at.query_params.update({"embed": "1", "couches": "epci,cases", "sel": "epci:200035731"})
    at.run()
    assert not at.exception, at.exception
    assert len(at.sidebar) == 0 and not at.text_input and not at.checkbox
    read = [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption]  # Markdown escapes removed
    assert any(c.startswith(embed.ATTRIBUTION) for c in read)
    link = next(m.value for m in at.markdown if "Ouvrir l'atlas complet" in m.value)
    assert "embed" not in link and "sel=200035731" in link
    names = list(at.table[0].value.index)
    assert "Communauté d'agglomération Roannais Agglomération" in names

    at = AppTest.from_file(app, default_timeout=60)
    at.query_params.update({"couches": "epci,ti", "dep": "42"})
    at.run()
    assert not at.exception, at.exception
    assert not [h for h in at.get("html") if "atlas-code" in h.proto.body]  # panel closed
    at.session_state[embed_panel.OPEN] = True  # the reader opens *Intégrer…*
    at.run()
    block = next(h.proto.body for h in at.get("html") if "atlas-code" in h.proto.body)
    snippet = html.unescape(re.sub(r"<[^>]+>", "", block))  # the text the reader copies
    assert snippet.startswith("<iframe ") and "embed=1&amp;couches=epci%2Cti&amp;dep=42" in snippet


def test_only_my_territory_draws_its_communes_alone_on_the_embedded_map(real_build):
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"embed": "1", "couches": "communes", "sel": "ti-8408", "seul": "1"})
    at.run()
    assert not at.exception, at.exception
    script = json.loads(at.get("component_instance")[0].proto.json_args)["script"]
    start = script.index("atlas.tileLayer(") + len("atlas.tileLayer(")
    spec, _ = json.JSONDecoder().raw_decode(script, start)
    assert spec["name"] == "communes" and spec["filters"] == {"ti": ["ti-8408"]}
