"""The public embed of the map: when a URL asks for it, its links, and the iframe snippet.

Pure Python (no Streamlit) so it is tested directly. ``?embed=1`` shows the map alone,
locked on the view of the other parameters (:mod:`pages.viewstate`); Streamlit's own
``?embed=true`` is accepted too (it also removes Streamlit's toolbar and padding).
Streamlit reserves the ``embed`` parameter and hides it from ``st.query_params``, hence
:func:`is_embed_query`, which reads the raw query string.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from pages.ui.viewstate import ViewState

EMBED_VALUES = ("1", "true")
DEFAULT_TITLE = "Carte de l'Atlas des coopérations territoriales"


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


def embed_url(base: str, view: ViewState) -> str:
    """Return the embed of ``view``: ``<base>?embed=1&couches=…``."""
    return base_url(base) + "?" + urlencode({"embed": "1", **view.to_query()})


def iframe_snippet(
    base: str,
    view: ViewState,
    *,
    title: str = DEFAULT_TITLE,
    width: str = "100%",
    height: int = 700,
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
        "src": embed_url(base, view),
        "title": title or DEFAULT_TITLE,
        "width": width if width.rstrip("%").isdigit() else "100%",
        "height": str(int(height)),
        "loading": "lazy",
        "style": "border:0",
        "referrerpolicy": "no-referrer-when-downgrade",
    }
    html_attrs = " ".join(f'{k}="{escape(v, quote=True)}"' for k, v in attrs.items())
    return f"<iframe {html_attrs}></iframe>"
