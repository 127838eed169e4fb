"""Fixtures of the real-browser tests: Debian's Chromium, the app on 127.0.0.1, a page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import chromium, streamlit_server, watch_hosts


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium (modules skip themselves when it is not installed)."""
    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def app_url(real_build: Path) -> Iterator[str]:
    """The app started once on 127.0.0.1 on the session's build; yields its base URL."""
    with streamlit_server(env={"ATLAS_BUILD_DIR": str(real_build)}) as srv:
        yield srv.url


@pytest.fixture
def page(browser):
    """A fresh page recording request hosts, console errors, CSP violations and dialogs."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    pg = context.new_page()
    watch_hosts(pg)
    pg.errors, pg.dialogs = [], []
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()
