"""Jinja2 templates: one environment per language, shared globals, full page or htmx block.

Each language gets its own compiled templates in which `_("literal")` is replaced by the
translated literal at compile time, so a page pays nothing per translated string. Babel still
extracts the messages from the template source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import (
    Callable,
    Hashable,
    Iterable,
    Mapping,
    MutableMapping,
    Sequence,
)
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any, NamedTuple

import markupsafe
from jinja2 import Environment, FileSystemLoader, StrictUndefined, nodes, select_autoescape
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context, Macro
from jinja2.visitor import NodeTransformer
from jinja2_fragments import render_block
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from portal.settings import PROJECT_ROOT, Settings
from portal.web.assets import assets
from portal.web.fragments import EncodedHTML, FragmentCache, splice
from portal.web.hyphens import heading_filter, with_hyphenated_headings
from portal.web.i18n import (
    LANGUAGES,
    Formatter,
    current_language,
    lazy_gettext,
    national_language,
    translations,
    upper_first,
)
from portal.web.pure_components import PureComponents
from portal.web.requests import page_path

TEMPLATES_DIR = PROJECT_ROOT / "templates"
VARY = "HX-Request, Accept-Language, Cookie"
GETTEXT_NAMES = ("_", "gettext")


def iso_date(value: str) -> dt.date | None:
    """A date kept as ISO text (in JSON), for the date formats."""
    return dt.date.fromisoformat(value) if value else None


class FoldTranslations(NodeTransformer):
    """`_("text", name=value)` -> the translated text (marked safe) % {"name": value}."""

    def __init__(self, translate: Any) -> None:
        self.translate = translate

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)  # type: ignore[assignment]
        if (
            isinstance(node.node, nodes.Name)
            and node.node.name in GETTEXT_NAMES
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            translated = self.translate(node.args[0].value)
            if not node.kwargs:
                # Like jinja2.ext.i18n (newstyle): formatting always runs, so "%%" -> "%";
                # with nothing to put in, it runs here, once.
                try:
                    return nodes.MarkSafe(nodes.Const(translated % {}), lineno=node.lineno)
                except (KeyError, TypeError, ValueError):  # a placeholder without a value:
                    pass  # fails when the page is rendered, as before
            pairs = [nodes.Pair(nodes.Const(k.key), k.value) for k in node.kwargs]
            return nodes.Filter(
                nodes.Const(translated),
                "format_translated",
                [nodes.Dict(pairs)],
                [],
                None,
                None,
                lineno=node.lineno,
            )
        return node


# A dict's own attributes (`attributes.items()`) stay attributes; any other name on a dict is
# its key.
DICT_ATTRIBUTES = frozenset(dir(dict))
# The C function behind markupsafe.escape: the same text, without a Markup made of it.
_escape_inner: Callable[[str], str] = markupsafe._escape_inner  # type: ignore[attr-defined]


def escape_output(value: Any) -> str:
    """`{{ value }}` in a page: the text markupsafe's `escape` gives, without making a Markup of
    each piece of output only to join it into the page (it cost a third of escaping)."""
    if type(value) is str:
        return _escape_inner(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return _escape_inner(str(value))


def format_translated(text: str, values: Mapping[str, Any]) -> Markup:
    """A translation (trusted, as the templates are) with its `values` put in, each escaped:
    what `Markup(text) % values` gives for the `%(name)s` placeholders the catalogs use, at a
    third of its cost (Markup wraps every value in a helper object to escape it)."""
    return Markup(text % {name: escape_output(value) for name, value in values.items()})  # noqa: S704


class EscapeOutput(CodeGenerator):
    """Compiles escaped output to `environment.escape_output(...)` instead of `escape(...)`
    (Jinja's documented hook for changing the code a template compiles to)."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


class DirectCalls(Context):
    """A template's context that calls at once what takes no context: Jinja's `call` looks on
    every callable, and on its `__call__`, for a wish to be passed the context, attribute
    lookups that fail with an exception (some 4 µs a call, for a method such as `fmt.date`).
    A macro, a built-in and a cached fragment never have one; a function or a method has one
    exactly when its function's attributes say so. Anything else goes through Jinja's own
    `call`."""

    def call(self, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        kind = type(obj)
        if kind is Macro:
            return call_macro(obj, args, kwargs)
        if kind is FunctionType:
            plain = "jinja_pass_arg" not in obj.__dict__
        elif kind is MethodType:
            function = obj.__func__
            plain = type(function) is FunctionType and "jinja_pass_arg" not in function.__dict__
        else:
            plain = kind in TAKE_NO_CONTEXT
        if not plain:
            return super().call(obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return obj(*args, **kwargs)
        except StopIteration:  # as Jinja's own call answers it
            return self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


def call_macro(macro: Macro, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A component's call (`alert(params)`, `{% call alert(params) %}`): its function called
    with its arguments and caller at once. Jinja's `Macro.__call__` sorts out defaults, keyword
    arguments and the caller for every call, a quarter of a small component's cost; a call
    that passes fewer or more arguments, or keywords, still goes through it. A pure
    component's call with one dict and no body is rendered once per set of parameters
    (`portal/web/pure_components.py`)."""
    caller = kwargs.pop("caller", None) if kwargs else None
    if kwargs:
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
    if (
        kwargs
        or len(args) != macro._argument_count
        or macro.catch_kwargs
        or macro.catch_varargs
        or macro.explicit_caller
        or (caller is not None and not macro.caller)
    ):
        if caller is not None:
            kwargs["caller"] = caller
        return macro(*args, **kwargs)
    components: PureComponents | None = getattr(macro._environment, "components", None)
    if components is not None and caller is None and len(args) == 1:
        return components.call(macro, args[0], lambda: _made(macro, args, caller))
    return _made(macro, args, caller)


def _made(macro: Macro, args: tuple[Any, ...], caller: Any) -> Any:
    if macro.caller:
        if caller is None:
            caller = macro._environment.undefined("No caller defined", name="caller")
        args = (*args, caller)
    output = macro._func(*args)
    return Markup(output) if macro._default_autoescape else output  # noqa: S704


class TranslatedEnvironment(Environment):
    """An environment whose templates are compiled for one language."""

    strict: TranslatedEnvironment  # the same, with StrictUndefined (see build_environment)
    components: PureComponents  # its pure components and their kept calls
    code_generator_class = EscapeOutput
    context_class = DirectCalls
    escape_output = staticmethod(escape_output)

    def __init__(self, language: str, **options: Any) -> None:
        super().__init__(**options)
        self.language = language
        catalog = translations(language)
        self.translate = catalog.ugettext

        # Catalog texts are the project's own, as trusted as the templates; the values put
        # into them are escaped (`format_translated`).
        def gettext(message: str, **variables: Any) -> Markup:
            return format_translated(catalog.ugettext(message), variables)

        def ngettext(singular: str, plural: str, n: int, **variables: Any) -> Markup:
            variables.setdefault("num", n)
            return format_translated(catalog.ungettext(singular, plural, n), variables)

        self.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
        self.filters["format_translated"] = format_translated

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """The environment's globals themselves, not a ChainMap over them: every render copies
        a template's globals, and copying a ChainMap of some forty names key by key costs
        more than most of a page. (Templates are never loaded with globals of their own.)"""
        if not d:
            return self.globals
        return super().make_globals(d)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`params.text` on a dict (how components take their parameters) is its key, read at
        once: Jinja tries an attribute first, and a dict's key cost an exception (a missing
        one two) on every lookup, most of a component's call. Anything else as Jinja's own
        `getattr` (written out here: a page makes a hundred lookups and more)."""
        if type(obj) is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(with_hyphenated_headings(source), name, filename)
        folded: nodes.Template = FoldTranslations(self.translate).visit(tree)
        return folded


def build_environment(
    settings: Settings, language: str, formatter: Formatter
) -> TranslatedEnvironment:
    env = TranslatedEnvironment(
        language,
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once per process (component macros are registered at start-up
        # anyway); checking every file's mtime on every render costs more than the render.
        auto_reload=False,
    )
    env.globals.update(
        languages=LANGUAGES,
        fmt=formatter,
        country=settings.country,
        eid_name="BankID" if settings.country == "SE" else "MitID",
        agency=lazy_gettext("Statistics Sweden (SCB)")
        if settings.country == "SE"
        else lazy_gettext("Statistics Denmark (DST)"),
        agency_short="SCB" if settings.country == "SE" else "DST",
        static_url=assets().url,
    )
    # Long words in headings get soft hyphens (see portal/web/hyphens.py). An English page's
    # long words are mostly names of things in the deployment's language (an offer's title),
    # which that language's dictionary splits best.
    words_in = language if language != "en" else national_language(settings.country)
    env.filters["hyphenated_heading"] = heading_filter(words_in)
    env.globals["table_rows"] = table_rows
    env.filters["upper_first"] = upper_first
    env.filters["iso_date"] = iso_date
    env.components = PureComponents()
    register_components(env, env.components)
    # Cached fragments render with only the values they are given: a name they use but were
    # not given is an error, never an empty string kept in the cache.
    env.strict = env.overlay(undefined=StrictUndefined, cache_size=400)
    fragments = FragmentRenderer(env.strict)
    env.globals["cached_fragment"] = fragments
    env.globals["cached_fragments"] = fragments.each
    return env


def table_rows(titles: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Markup:
    """A data table's body rows: each cell escaped as `{{ cell }}` would be, and labelled with
    its column's title (what a narrow screen shows). Made here rather than by a template loop
    over every cell: a table of two hundred rows cost a millisecond in the loop alone."""
    openings = [f'<td data-label="{escape_output(title)}">' for title in titles]
    return Markup(  # noqa: S704 -- every title and cell escaped above and below
        "\n".join(
            "<tr>"
            + "".join(
                opening + escape_output(cell) + "</td>"
                for opening, cell in zip(openings, row, strict=False)
            )
            + "</tr>"
            for row in rows
        )
    )


class FragmentRenderer:
    """`cached_fragment(name, **values)` in a template: the partial template `name` rendered
    with only `values` (and the language), once per process for each set of values.

    For the parts every page repeats (header, navigation, footer, the start page's cards):
    they cost most of a page's rendering and depend on a few plain values. Such a template
    may use only what it is given; the values must be hashable.
    """

    def __init__(self, env: TranslatedEnvironment) -> None:
        self.env = env
        self.rendered = FragmentCache(max_entries=2048)

    def __call__(self, name: str, /, **values: Hashable) -> Markup:
        key = (name, *sorted(values.items()))
        content: Markup | None = self.rendered.get(key)
        if content is None:
            content = self.render(name, values)
            self.rendered.put(key, content)
        return content

    def each(self, name: str, rows: Iterable[NamedTuple], /, **shared: Hashable) -> Markup:
        """`cached_fragments(name, rows, **shared)`: the partial `name` once for each row, a
        named tuple of that row's values (hashable, like all of a cached fragment's values),
        with the `shared` values of every row: what a
        `{% for %}` of `cached_fragment` calls gives, without a template call, a keyword
        dictionary and a sort for each row (a list of fifty cost as much as the rest of its
        page)."""
        common = tuple(sorted(shared.items()))
        rows = list(rows)
        keys: list[Hashable] = [(_EACH, name, row._fields, row, common) for row in rows]
        parts: list[Markup] = []
        for key, row, content in zip(keys, rows, self.rendered.get_many(keys), strict=True):
            if content is None:
                content = self.render(name, {**shared, **row._asdict()})
                self.rendered.put(key, content)
            parts.append(content)
        return Markup("".join(parts))  # noqa: S704 -- fragments rendered autoescaped

    def render(self, name: str, values: dict[str, Any]) -> Markup:
        template = self.env.get_template(name)
        return Markup(template.render(values, language=self.env.language))  # noqa: S704 -- autoescaped output


# Begins the keys of `FragmentRenderer.each`: equal to nothing a `cached_fragment` key holds.
_EACH = object()


def register_components(env: Environment, components: PureComponents) -> None:
    """Every macro of templates/components/ as a global, so pages and htmx blocks can call it.
    Made twice: a component's macros see the globals there were when it was made, so the
    second round lets any component call any other."""
    for _round in range(2):
        for path in sorted((TEMPLATES_DIR / "components").glob("*.html")):
            template = env.get_template(f"components/{path.name}")
            template.globals.update(env.globals)
            module = template.make_module()
            for name in dir(module):
                if not name.startswith("_"):
                    env.globals[name] = getattr(module, name)
                    components.add(name, env.globals[name])


# Callables of these types never take a template's context (see DirectCalls).
TAKE_NO_CONTEXT = frozenset({BuiltinFunctionType, FragmentRenderer})


class Pages:
    """Renders a page in the request's language, or only one block when htmx asks for it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.formatter = Formatter(settings.timezone)
        self.environments = {
            language: build_environment(settings, language, self.formatter)
            for language in LANGUAGES
        }

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
        block: str = "content",
    ) -> Response:
        """`block` is what htmx gets: a block the template itself defines."""
        language = current_language.get()
        context = dict(context or {})
        context.setdefault("language", language)
        context.setdefault("session", request.scope.get("portal.session"))
        context.setdefault("idle_seconds", None)
        context.setdefault("page_path", page_path(request.scope))
        context.setdefault("request", request)
        env = self.environments[language]
        if request.headers.get("HX-Request") == "true":
            content = render_block(env, name, block, context)
        else:
            session = request.scope.get("session")
            if session and NOTICE in session:
                context.setdefault("notice", session.pop(NOTICE))
            content = env.get_template(name).render(context)
        encoded = [value for value in context.values() if isinstance(value, EncodedHTML)]
        body = splice(content.encode(), encoded) if encoded else content.encode()
        return HTMLResponse(body, status_code, headers={"Vary": VARY})

    def render_staff(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Response:
        """A staff page: warned before the staff idle timeout ends the session."""
        context = {"idle_seconds": self.settings.staff_idle_minutes * 60, **(context or {})}
        return self.render(request, name, context, status_code)

    def render_fragment(self, name: str, context: dict[str, Any]) -> Markup:
        """A partial template rendered to safe HTML, in the request's language."""
        language = current_language.get()
        template = self.environments[language].strict.get_template(name)
        return Markup(template.render({"language": language, **context}))  # noqa: S704

    def encoded_fragment(self, name: str, context: dict[str, Any]) -> EncodedHTML:
        """The same, kept encoded: for a large fragment a page caches and shows as a whole
        (passed to `render` among its values)."""
        return EncodedHTML(self.render_fragment(name, context))


NOTICE = "notice"


def tell(request: Request, text: str) -> None:
    """Say `text` ("Removed: Bakery assistant") at the top of the next page this user opens:
    what a redirect after a POST did, when the address cannot say it."""
    session = request.scope.get("session")
    if session is not None:
        session[NOTICE] = str(text)


def pages(request: Request) -> Pages:
    page_renderer: Pages = request.app.state.pages
    return page_renderer
