"""Lighthouse on six pages, and what a first and a repeat visit transfer.

Lighthouse (from npm, pinned, installed into var/lighthouse on first use) runs against Debian's
Chromium with its mobile form factor and simulated slow 4G, logged in through the development
IdP by the session cookie. The visits are measured separately in Chromium through the DevTools
protocol: the bytes that crossed the network on a first visit (empty cache) and on a repeat
visit of the same page (warm cache).

    python -m bench.lighthouse          (or: make lighthouse)

Prints one JSON line per page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

from bench.harness import ROOT, portal_server

LIGHTHOUSE_VERSION = "12.8.2"
PACKAGE = f"lighthouse@{LIGHTHOUSE_VERSION}"
TOOL_DIR = ROOT / "var" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# Headless, and no background traffic to outside hosts (a closed network refuses it).
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse() -> Path:
    program = TOOL_DIR / "node_modules" / ".bin" / "lighthouse"
    if not program.exists():
        if shutil.which("npm") is None:
            raise SystemExit("Lighthouse needs Node.js and npm: run 'sudo apt-get install npm'")
        subprocess.run(
            ["npm", "install", "--prefix", str(TOOL_DIR), "--no-audit", "--no-fund", PACKAGE],
            check=True,
            capture_output=True,
        )
    return program


def logged_in(url: str, persona: str) -> httpx.Client:
    client = httpx.Client(base_url=url, follow_redirects=True)
    response = client.get(f"/auth/login?login_hint={persona}")
    assert response.status_code == 200, "login failed"
    return client


def pages_to_measure(client: httpx.Client) -> dict[str, str]:
    """The pages of the issue: the login page, anna's start page, My Plan, her latest hour
    history, the meetings page and a presentation CV shared through a new link."""
    hours = client.get("/hours").text
    report = re.search(r'href="(/hours/\d+)"', hours)
    assert report, "anna has no hour history"
    presentation = client.get("/cv/presentation").text
    token = re.search(r'name="form_token" value="([^"]+)"', presentation)
    assert token, "no share form"
    shared = client.post(
        "/cv/presentation/shares", data={"days": "30", "form_token": token.group(1)}
    ).text
    link = re.search(r"(/shared/cv/[A-Za-z0-9_-]{20,})", shared)
    assert link, "no share link"
    return {
        "login": "/login",
        "start": "/",
        "plan": "/plan",
        "hour history": report.group(1),
        "meetings": "/meetings",
        "shared CV": link.group(1),
    }


def run_lighthouse(program: Path, url: str, cookie: str | None) -> dict[str, Any]:
    command = [
        str(program),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        "--chrome-flags=" + " ".join(CHROME_FLAGS),
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    result = subprocess.run(
        command,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    audits = report["audits"]
    return {
        **{
            name: round(100 * report["categories"][name]["score"])
            for name in CATEGORIES
            if report["categories"][name]["score"] is not None
        },
        "lighthouse_bytes": int(audits["total-byte-weight"]["numericValue"]),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "failed_audits": sorted(
            key
            for key, audit in audits.items()
            if audit.get("score") is not None
            and audit["score"] < 1
            and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
            and key not in ("first-contentful-paint", "largest-contentful-paint")
        ),
    }


def visits(base: str, path: str, cookie: str | None) -> dict[str, int]:
    """Bytes over the network for a first visit and then a repeat visit of the same page."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROME_FLAGS[1:])
        context = browser.new_context(
            viewport={"width": 360, "height": 800},
            extra_http_headers={"Cookie": cookie} if cookie else {},
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        received: list[int] = []
        cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
        figures = {}
        for visit in ("first_visit_bytes", "repeat_visit_bytes"):
            received.clear()
            page.goto(base + path, wait_until="load")
            figures[visit] = int(sum(received))
            page.goto("about:blank")
        browser.close()
    return figures


def main() -> None:
    program = lighthouse()
    with portal_server() as (url, _env):
        client = logged_in(url, "anna")
        cookie = f"portal_session={client.cookies['portal_session']}"
        pages = pages_to_measure(client)
        for name, path in pages.items():
            # The login page and the shared CV are seen by someone not logged in.
            page_cookie = None if name in ("login", "shared CV") else cookie
            shown = re.sub(r"[A-Za-z0-9_-]{20,}", "…", path)  # no share token in the output
            figures: dict[str, Any] = {"page": name, "path": shown}
            figures.update(visits(url, path, page_cookie))
            figures.update(run_lighthouse(program, url + path, page_cookie))
            print(json.dumps(figures, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
