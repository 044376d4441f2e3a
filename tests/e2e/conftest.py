"""E2e: one real portal server (subprocess, own SQLite file) and Debian's Chromium per session."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.conftest import TEST_RATE_LIMITS

CHROMIUM = "/usr/bin/chromium"
AXE = Axe()


@dataclass
class LiveServer:
    url: str
    database: Path

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database) as connection:
            rows = connection.execute(sql, params).fetchall()
        connection.close()
        return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(folder: Path, country: str) -> Iterator[LiveServer]:
    """A portal of the country's deployment with its demo data, on a port of its own."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite:///{folder / 'portal.db'}",
        "PORTAL_VAR_DIR": str(folder),
        "PORTAL_SECRET_KEY": "e2e-secret-0123456789abcdef",
        "PORTAL_BASE_URL": url,
        "PORTAL_DEV_IDP": "1",
        "PORTAL_COUNTRY": country,
        "PORTAL_RATE_LIMITS": TEST_RATE_LIMITS,
    }
    cli = [sys.executable, "-m", "portal.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo-data"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert server.stderr is not None
    started = []
    for line in server.stderr:  # blocks until uvicorn says it listens (or the process dies)
        started.append(line)
        if "Uvicorn running" in line:
            break
    else:
        raise RuntimeError("the portal did not start:\n" + "".join(started))
    # Keep reading the server's log so it can never block on a full pipe.
    threading.Thread(target=server.stderr.read, daemon=True).start()
    try:
        yield LiveServer(url, folder / "portal.db")
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The Swedish deployment most journeys use."""
    with serve(tmp_path_factory.mktemp("e2e"), "SE") as server:
        yield server


@pytest.fixture(scope="session")
def live_server_dk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A Danish deployment, for what only Denmark has (the rehabilitation plan's journey)."""
    with serve(tmp_path_factory.mktemp("e2e-dk"), "DK") as server:
        yield server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("The browser tests need Debian's chromium: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 360, "height": 800}, "locale": "en-GB"}


def header_button(page: Page, name: str) -> Any:
    """A button of the site header (a language, "Log out"): on a phone it is behind the menu,
    which is opened first."""
    menu = page.locator("summary.site-menu__button")
    if menu.is_visible() and page.locator("details.site-menu[open]").count() == 0:
        menu.click()
    return page.get_by_role("button", name=name)


def nav_link(page: Page, name: str) -> Any:
    """A link of the participant's pages: on a phone they are behind the pages button, which
    is opened first."""
    button = page.locator("summary.participant-nav__button")
    if button.is_visible() and page.locator("details.participant-nav__menu[open]").count() == 0:
        button.click()
    return page.get_by_role("navigation").get_by_role("link", name=name, exact=True)


def assert_accessible(page: Page) -> None:
    """axe-core finds no violation on the page as it is now, the page reflows to the window's
    width (WCAG 1.4.10: no sideways scrolling; long words wrap), and no element's content
    spills out of its own box (a figure cut off inside a cell is as unreadable)."""
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()
    wide, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if wide > window:
        too_wide = page.evaluate(WIDER_THAN_THE_WINDOW)
        raise AssertionError(f"{page.url} is {wide} px wide in a {window} px window: {too_wide}")
    spilling = page.evaluate(SPILLING_OUT_OF_THEIR_BOX)
    assert not spilling, f"{page.url}: content wider than its box: {spilling}"


# The innermost elements that reach past the window's right edge, as tag.class "text".
WIDER_THAN_THE_WINDOW = """
((sticksOut) => [...document.body.querySelectorAll("*")]
  .filter(sticksOut)
  .filter(e => ![...e.children].some(sticksOut))
  .slice(0, 5)
  .map(e => `${e.tagName.toLowerCase()}.${e.className} "${e.textContent.trim().slice(0, 40)}"`)
)(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
"""


# The innermost elements whose content is wider than their own box, where nothing scrolls or
# clips it on purpose (a scrolling region, or the visually hidden header of a stacked table).
SPILLING_OUT_OF_THEIR_BOX = """
(() => {
  const clipped = (e) => {
    for (let a = e.parentElement; a; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if ((overflow === "hidden" || overflow === "clip") && a.clientWidth <= 1) return true;
    }
    return false;
  };
  const spills = (e) => {
    const style = getComputedStyle(e);
    if (style.display === "inline" || style.display === "contents") return false;
    if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) return false;
    return e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1 && !clipped(e);
  };
  const all = [...document.body.querySelectorAll("*")].filter(spills);
  const text = (e) => `"${e.textContent.trim().slice(0, 40)}"`;
  return all.filter(e => !all.some(o => o !== e && e.contains(o))).slice(0, 5).map(
    e => `${e.tagName.toLowerCase()}.${e.className} ${e.scrollWidth}>${e.clientWidth} ${text(e)}`
  );
})()
"""


def log_in(page: Page, server: LiveServer, persona: str, staff: bool = False) -> None:
    path = "/staff/login" if staff else "/auth/login"
    page.goto(f"{server.url}{path}?login_hint={persona}")
