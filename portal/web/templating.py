"""Jinja2 templates: the environment, shared globals, and full-page or htmx-block rendering."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments.starlette import Jinja2Blocks
from starlette.requests import Request
from starlette.responses import Response

from portal.settings import PROJECT_ROOT, Settings
from portal.web.i18n import LANGUAGES, Formatter, current_language, gettext, ngettext

TEMPLATES_DIR = PROJECT_ROOT / "templates"
VARY = "HX-Request, Accept-Language, Cookie"


def build_environment(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once per process (component macros are registered at start-up
        # anyway); checking every file's mtime on every render costs more than the render.
        auto_reload=False,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        languages=LANGUAGES,
        fmt=Formatter(settings.timezone),
        country=settings.country,
        eid_name="BankID" if settings.country == "SE" else "MitID",
    )
    register_components(env)
    return env


def register_components(env: Environment) -> None:
    """Every macro of templates/components/ as a global, so pages and htmx blocks can call it."""
    for path in sorted((TEMPLATES_DIR / "components").glob("*.html")):
        module = env.get_template(f"components/{path.name}").make_module()
        for name in dir(module):
            if not name.startswith("_"):
                env.globals[name] = getattr(module, name)


class Pages:
    """Renders a page, or only its `content` block when htmx asks for it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.templates = Jinja2Blocks(env=build_environment(settings))

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
        block: str = "content",
    ) -> Response:
        """`block` is what htmx gets: a block the template itself defines."""
        context = dict(context or {})
        context.setdefault("language", current_language.get())
        context.setdefault("session", request.scope.get("portal.session"))
        context.setdefault("idle_seconds", None)
        partial = request.headers.get("HX-Request") == "true"
        response = self.templates.TemplateResponse(
            request,
            name,
            context,
            status_code=status_code,
            block_name=block if partial else None,
        )
        response.headers["Vary"] = VARY
        return response


def pages(request: Request) -> Pages:
    page_renderer: Pages = request.app.state.pages
    return page_renderer
