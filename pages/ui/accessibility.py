"""Page-wide accessibility fixes Streamlit does not offer (RGAA 4.1 / WCAG 2.1 AA).

- Captions: Streamlit greys them to #828180 on white (3.9:1, under the 4.5:1 of RGAA 3.2);
  :data:`CSS` darkens them to 7:1.
- Language: Streamlit's page says ``<html lang="en">`` and offers no setting; a script in a
  hidden component frame (same origin) sets ``lang="fr"`` on the page (RGAA 8.3). A screen
  reader that reads the page before the script runs (a fraction of a second) still hears
  "en". The same script words Streamlit's own skip link in French (:data:`SKIP_TEXT`).
- Images: ``st.image`` writes no ``alt`` (RGAA 1.1); :func:`image` draws a PNG with one.
- Focus: links and summaries get a visible outline for keyboard users (RGAA 10.7).
- Toggle buttons (``st.pills``, the map's layers): a pressed one shows a tick (RGAA 3.1).
- The skip link of the embed (:data:`SKIP_CLASS`): hidden until it has the keyboard focus.
"""

from __future__ import annotations

import base64
from html import escape

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

SKIP_CLASS = "atlas-skip"
TEXT_GREY = "#4f4f57"  # 7.9:1 on white
FOCUS_COLOR = "#0b57d0"  # as the map's (layers.accessibility)
PRESSED_TEXT = "#1f1f29"  # a pressed pill's text, on Streamlit's pale primary background
CSS = (
    "<style>"
    "[data-testid='stCaptionContainer'],[data-testid='stCaptionContainer'] p,"
    "[data-testid='stCaptionContainer'] code,"
    f"[data-testid='stImageCaption']{{color:{TEXT_GREY};opacity:1}}"
    f".{SKIP_CLASS}{{position:absolute;left:-10000px;top:0;z-index:1000;background:#fff;"
    "padding:6px 10px}"
    f".{SKIP_CLASS}:focus{{left:8px}}"
    # Streamlit shows no focus on links (navigation, page links) and summaries: RGAA 10.7.
    f"a:focus-visible,summary:focus-visible{{outline:3px solid {FOCUS_COLOR}!important;"
    "outline-offset:2px}"
    "[data-testid='stElementContainer']:has(iframe[srcdoc*='atlas-lang']){display:none}"
    # A pressed toggle button (st.pills: the map's layers, the search's results) is told by
    # a tick, not by its colour alone (RGAA 3.1), and its text is dark: Streamlit's red on
    # the pressed pink is under the 4.5:1 of RGAA 3.2 (axe's colour-contrast rule).
    "[data-testid='stButtonGroup'] button[aria-pressed='true'] p::before{content:'✓\\00a0' / ''}"
    f"[data-testid='stButtonGroup'] button[aria-pressed='true'] p{{color:{PRESSED_TEXT}}}"
    "</style>"
)
SKIP_TEXT = "Aller au contenu principal"  # Streamlit's skip link says "Skip to main content"
# Sets the page's language, and words Streamlit's skip link in French (again whenever
# Streamlit draws it anew: a MutationObserver on the page, from this frame).
_LANG_SCRIPT = (
    "<title>atlas-lang</title><script>"
    "document.documentElement.lang='fr';"
    "try{var doc=window.parent.document;doc.documentElement.lang='fr';"
    "var fix=function(){var a=doc.querySelector('[data-testid=stSkipToContent]');"
    f"if(a&&a.textContent!=='{SKIP_TEXT}'){{a.textContent='{SKIP_TEXT}';a.lang='fr';}}}};"
    "fix();new MutationObserver(fix).observe(doc.body,{childList:true,subtree:true});"
    "}catch(e){}</script>"
)


def page_setup() -> None:
    """Apply the fixes to the page being drawn (call once per run, before the page)."""
    st.markdown(CSS, unsafe_allow_html=True)
    st.iframe(_LANG_SCRIPT, height=1, tab_index=-1, alt="Langue de la page")


def image(where: DeltaGenerator, png: bytes, alt: str, caption: str = "") -> None:
    """Draw ``png`` full width in ``where`` with the text alternative ``alt`` (escaped)."""
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    figcaption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    where.html(
        f'<figure style="margin:0"><img src="{src}" alt="{escape(alt, quote=True)}" '
        f'style="width:100%;height:auto">{figcaption}</figure>'
    )
