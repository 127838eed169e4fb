"""The public embed of the map: when a URL asks for it, its links, and the iframe snippet.

Pure Python (no Streamlit) so it is tested directly. ``?embed=1`` shows the map alone,
locked on the view of the other parameters (:mod:`pages.viewstate`); Streamlit's own
``?embed=true`` is accepted too (it also removes Streamlit's toolbar and padding).
Streamlit reserves the ``embed`` parameter and hides it from ``st.query_params``, hence
:func:`is_embed_query`, which reads the raw query string.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from pages.ui.viewstate import ViewState

EMBED_VALUES = ("1", "true")
DEFAULT_TITLE = "Carte de l'Atlas des coopérations territoriales"
ONLY_TERRITORY = "seul"  # ``&seul=1``: the embed draws the selected territory's features only
DEFAULT_HEIGHT = 700  # the embed's page fits it: map, sources, folded table (pages/embed.py)


def is_embed_query(query_string: str) -> bool:
    """Tell whether a raw query string (``"embed=1&couches=epci"``) asks for the embed."""
    values = parse_qs(query_string.lstrip("?")).get("embed", [])
    return any(v.strip().lower() in EMBED_VALUES for v in values)


def base_url(url: str) -> str:
    """Return ``url`` without query and fragment, checked to be an http(s) address.

    Raises
    ------
    ValueError
        When ``url`` is not ``http://…`` or ``https://…`` with a host.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # an invalid host, such as "[x]" (not an IPv6 address)
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"adresse {url!r} : attendu une adresse http(s)://… de l'atlas")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))


def full_atlas_url(base: str, view: ViewState) -> str:
    """Return the same view in the full atlas (no embed)."""
    query = urlencode(view.to_query())
    return base_url(base) + (f"?{query}" if query else "")


def embed_url(base: str, view: ViewState, *, only_territory: bool = False) -> str:
    """Return the embed of ``view``: ``<base>?embed=1&couches=…``.

    ``only_territory`` (with a selection): the embed draws that territory's features only
    (``&seul=1``); without it, the whole map opens on the territory.
    """
    query = {"embed": "1", **view.to_query()}
    if only_territory and view.selection:
        query[ONLY_TERRITORY] = "1"
    return base_url(base) + "?" + urlencode(query)


def only_territory(query: dict[str, str]) -> bool:
    """Whether the query string of an embed asks for the selected territory only."""
    return query.get(ONLY_TERRITORY, "") == "1"


def iframe_snippet(
    base: str,
    view: ViewState,
    *,
    title: str = DEFAULT_TITLE,
    width: str = "100%",
    height: int = DEFAULT_HEIGHT,
    only_territory: bool = False,
) -> str:
    """Return the ``<iframe>`` to paste in a web page, every attribute escaped.

    Raises
    ------
    ValueError
        For a base URL that is not http(s), or a height outside 200-3000 pixels.
    """
    if not 200 <= int(height) <= 3000:
        raise ValueError(f"hauteur {height} : attendu entre 200 et 3000 pixels")
    attrs = {
        "src": embed_url(base, view, only_territory=only_territory),
        "title": title or DEFAULT_TITLE,
        "width": width if width.rstrip("%").isdigit() else "100%",
        "height": str(int(height)),
        "loading": "lazy",
        "style": "border:0",
        "referrerpolicy": "no-referrer-when-downgrade",
    }
    html_attrs = " ".join(f'{k}="{escape(v, quote=True)}"' for k, v in attrs.items())
    return f"<iframe {html_attrs}></iframe>"


def code_block_html(snippet: str) -> str:
    """Return the snippet as an escaped, wrapped ``<pre>`` block (dark text on light grey)."""
    return (
        '<pre class="atlas-code" style="white-space:pre-wrap;overflow-wrap:anywhere;'
        "margin:0;padding:0.75rem 1rem;border-radius:0.5rem;background:#f0f2f6;color:#111;"
        f'font:0.875rem/1.5 monospace">{escape(snippet)}</pre>'
    )


def copy_button_html(snippet: str) -> str:
    """Return the small page of the *Copier le code* button (the snippet as a JSON string).

    Every ``<`` is written as a JSON unicode escape, so no text closes the script element.
    """
    code = json.dumps(snippet).replace("<", "\\u003c")
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Copier le code'
        "</title><style>body{margin:0;font:15px/1.5 sans-serif;color:#111}"
        "button{font:inherit;padding:4px 14px;border:1px solid #0b57d0;border-radius:6px;"
        "background:#0b57d0;color:#fff;cursor:pointer}"
        "button:focus-visible{outline:3px solid #111;outline-offset:2px}"
        "span{margin-left:10px}</style></head><body>"
        '<button type="button" id="copier">Copier le code</button>'
        '<span id="etat" role="status"></span><script>'
        f"const code = {code};"
        "document.getElementById('copier').addEventListener('click', () => {"
        "const etat = document.getElementById('etat');"
        "navigator.clipboard.writeText(code).then(() => { etat.textContent = 'Code copié.'; },"
        " () => { etat.textContent = 'Copie impossible : sélectionnez le code ci-dessous.'; });"
        "});</script></body></html>"
    )
