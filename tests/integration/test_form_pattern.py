"""Every form follows one pattern when it is refused: sent empty (as a user who presses the
button at once), a form that answers 400 shows the error summary at the top of the page, marked
to take the focus, and each of its links leads to a field that is on the page. The forms are
found in the route table: each page that shows a form posting back to it, opened as the persona
the permission matrix lets in. SQLite only: it is about pages, not data."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.settings import Settings
from portal.web.access import access_of
from tests.conftest import client_of
from tests.integration.test_authorization_matrix import anna_id, log_in_as, logged_in_use

# Pages that need a query to show their form.
QUERIES = {"/cv/entries/new": "?kind=work"}


class Forms(HTMLParser):
    """The page's POST forms: (action, {hidden field: value}, [other field names])."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str], list[str]]] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and (found.get("method") or "").lower() == "post":
            self.forms.append((found.get("action") or "", {}, []))
            self.inside = True
        elif self.inside and tag in ("input", "textarea", "select") and found.get("name"):
            name = str(found["name"])
            if found.get("type") == "hidden":
                self.forms[-1][1][name] = found.get("value") or ""
            else:
                self.forms[-1][2].append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def pages_with_forms(client: TestClient, persona: str) -> list[str]:
    """The paths (templates) this persona may open and post to."""
    methods: dict[str, set[str]] = {}
    for route in client.app.router.routes:  # type: ignore[attr-defined]
        if not isinstance(route, Route) or set(route.param_convertors) - {"participant_id"}:
            continue  # pages of one record: their forms are tried by their own tests
        access = access_of(route.endpoint)
        if access is None:
            continue
        if logged_in_use(access, persona):
            methods.setdefault(route.path, set()).update(route.methods or ())
    return [path for path, taken in methods.items() if {"GET", "POST"} <= taken]


# erik's forms (the hour grid, reports) are pages of one record, tried by their own tests.
@pytest.mark.parametrize("persona", ["anna", "karin", "vera", "admin", "palle"])
def test_every_refused_form_leads_with_a_focused_summary_that_links_to_its_fields(
    settings: Settings, persona: str
) -> None:
    if settings.database_url.startswith("postgresql"):
        pytest.skip("about pages, not data")
    checked, wrong = [], []
    with client_of(settings) as client:
        log_in_as(client, persona)
        participant = anna_id(settings)
        for template in pages_with_forms(client, persona):
            path = template.replace("{participant_id:int}", str(participant))
            page = client.get(path + QUERIES.get(template, ""))
            if page.status_code != 200:
                continue
            parser = Forms()
            parser.feed(page.text)
            here = str(page.url).removeprefix("http://testserver")
            own = [f for f in parser.forms if f[0] in ("", path, here)]
            if not own:
                continue
            _action, hidden, names = own[0]
            empty: dict[str, Any] = {**hidden, **dict.fromkeys(names, "")}
            answer = client.post(str(page.url), data=empty)
            if answer.status_code != 400:
                continue
            checked.append(template)
            main = answer.text.split('<main id="main"', 1)[-1]
            summary = re.search(r'<div class="ds-error-summary"[^>]*>(.*?)</div>', main, re.S)
            if (
                summary is None
                or "data-autofocus" not in main[: main.find("ds-error-summary") + 80]
            ):
                wrong.append(f"{template}: no focused error summary")
                continue
            for target in re.findall(r'href="#([^"]+)"', summary.group(1)):
                if f'id="{target}"' not in answer.text:
                    wrong.append(f"{template}: the summary links to #{target}, not on the page")
    assert checked, f"no refused form found for {persona}"
    assert not wrong, "\n".join(wrong)
