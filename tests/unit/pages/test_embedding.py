"""The embed's addresses: a base the atlas cannot be served from is refused in French."""

from __future__ import annotations

import html

import pytest

from pages.ui import embedding
from pages.ui.viewstate import ViewState


@pytest.mark.parametrize("url", ["https://[x]/", "http://[Télécharger](http://host/phish)"])
def test_a_base_with_an_invalid_host_is_refused_with_the_french_message(url):
    with pytest.raises(ValueError, match="attendu une adresse http"):
        embedding.iframe_snippet(url, ViewState())


def test_only_my_territory_is_in_the_snippet_when_a_territory_is_selected():
    view = ViewState(layers=("epci",), selection=("ti", "ti-8408"))
    snippet = embedding.iframe_snippet("https://atlas.fr/", view, only_territory=True)
    assert "seul=1" in snippet and "sel=" in snippet
    assert embedding.only_territory({"seul": "1"}) and not embedding.only_territory({})
    # Without a territory there is nothing to limit the map to: the option is left out.
    assert "seul" not in embedding.iframe_snippet("https://a.fr/", ViewState(), only_territory=True)


def test_the_copy_button_carries_the_snippet_without_closing_its_script():
    view = ViewState(layers=("epci",))
    snippet = embedding.iframe_snippet("https://atlas.fr/", view, title="</script><b>x</b>")
    page = embedding.copy_button_html(snippet)
    script = page.split("<script>", 1)[1]
    assert script.count("</script>") == 1 and "<b>" not in script and "<iframe" not in script
    assert ">Copier le code</button>" in page and 'lang="fr"' in page


def test_the_code_block_shows_the_snippet_as_text_not_markup():
    view = ViewState(layers=("epci",))
    snippet = embedding.iframe_snippet("https://atlas.fr/", view, title="</pre><b>x</b>")
    block = embedding.code_block_html(snippet)
    assert block.count("<pre") == 1 and block.endswith("</pre>") and "<b>" not in block
    inner = block.split(">", 1)[1].removesuffix("</pre>")
    assert html.unescape(inner) == snippet  # what the reader sees is the snippet, verbatim
