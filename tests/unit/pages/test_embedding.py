"""The embed's addresses: a base the atlas cannot be served from is refused in French."""

from __future__ import annotations

import pytest

from pages.ui import embedding
from pages.ui.viewstate import ViewState


@pytest.mark.parametrize("url", ["https://[x]/", "http://[Télécharger](http://host/phish)"])
def test_a_base_with_an_invalid_host_is_refused_with_the_french_message(url):
    with pytest.raises(ValueError, match="attendu une adresse http"):
        embedding.iframe_snippet(url, ViewState())
