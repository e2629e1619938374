"""Render a report model to HTML (jinja2) and print it to PDF (weasyprint).

Safety: jinja2 autoescaping is on for every template, so a provider name such as
``<b>x</b>`` prints as text. Weasyprint gets a URL fetcher that serves only ``file:`` URLs
inside the templates folder and ``data:image/svg+xml`` URLs (the charts, drawn as SVG
images) and refuses everything else (no network, no other files), and
``base_url`` is the templates folder. PDF metadata dates come from the model's document
date, so the same input gives the same PDF text.

weasyprint is imported only when a PDF is printed (it costs ~0.6 s to import).
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlparse

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from rvubench import __version__
from rvubench.atomic import atomic_path
from rvubench.errors import TemplateProblem
from rvubench.gcpause import cyclic_gc_paused
from rvubench.report.contract import SIGNAL_DISCLAIMER
from rvubench.report.formatting import JINJA_FILTERS
from rvubench.report.model import ILLUSTRATIVE_NOTICE, ReportModel
from rvubench.report.template_cache import bytecode_cache, cache_dir
from rvubench.resources import templates_dir

STYLESHEET = "report.css"
TEMPLATES = {"productivity": "report.html.j2", "contract": "contract.html.j2"}
ANCHOR_PERCENTILES_DEFAULT = (10, 25, 50, 75, 90)


class _Sandbox(SandboxedEnvironment):
    """jinja2's sandbox (no ``__globals__``, ``__class__``, ``__subclasses__``, no
    unsafe callables, no ``str.format`` escape), and no attribute of a data-frame,
    array, path or file object: a template formats the report model, it cannot run code,
    read or write files."""

    _OPAQUE = ("pandas", "numpy", "pyarrow", "pathlib", "os", "io", "subprocess", "shutil")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if type(obj).__module__.split(".")[0] in self._OPAQUE:
            return False
        return super().is_safe_attribute(obj, attr, value)


@functools.lru_cache(maxsize=8)
def _environment(folder: str, cache_folder: str = "") -> jinja2.Environment:
    """One environment per templates folder and process (a batch worker renders many
    clinicians with it: jinja2 keeps each template it loaded), with compiled templates
    kept on disk between runs in ``cache_folder`` ("" for none; ``report.template_cache``)."""
    # Every template (bundled or --templates) renders in the sandbox.
    env = _Sandbox(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters.update(JINJA_FILTERS)
    env.globals["dict"] = dict
    if cache_folder:
        env.bytecode_cache = bytecode_cache(env, Path(cache_folder))
    return env


def environment(templates: Path | None = None) -> jinja2.Environment:
    """The jinja2 environment for a templates folder (bundled when None)."""
    folder = Path(templates) if templates is not None else templates_dir()
    if not folder.is_dir():
        raise TemplateProblem(f"templates folder {folder} does not exist or is not a folder")
    cache = cache_dir()
    return _environment(str(folder.resolve()), str(cache) if cache is not None else "")


def _describe(exc: Exception, fallback: str) -> str:
    """``name line N: message`` for a jinja2 error, from its own traceback when it has one."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or fallback
    line = getattr(exc, "lineno", None)
    if line is None and exc.__traceback__ is not None:
        tb: TracebackType | None = exc.__traceback__
        while tb is not None:  # the deepest frame in a template file gives its line
            code_file = tb.tb_frame.f_code.co_filename
            if code_file.endswith(".j2") or code_file.endswith(".html"):
                name, line = code_file, tb.tb_lineno
            tb = tb.tb_next
    where = Path(str(name)).name + (f" line {line}" if line else "")
    message = getattr(exc, "message", None) or str(exc)
    return f"{where}: {message}"


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        missing = exc.name or name
        raise TemplateProblem(
            f"template {missing!r} not found in {env.loader.searchpath[0]}"  # type: ignore[union-attr]
            f" (needed by {name})" * (missing != name)
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateProblem(f"template error in {_describe(exc, name)}") from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise TemplateProblem(f"template {_describe(exc, name)}: cannot render") from None


def _anchor_percentiles(model: ReportModel) -> list[float]:
    if model.benchmark is None:
        return list(ANCHOR_PERCENTILES_DEFAULT)
    found = sorted({p for m in model.benchmark.metrics for p, _ in m.anchors})
    return found or list(ANCHOR_PERCENTILES_DEFAULT)


def render_html(model: ReportModel, templates: Path | None = None) -> str:
    """The report as one HTML document (the text weasyprint prints).

    Raises:
        TemplateProblem: a template is missing or broken (message names template and line).
    """
    env = environment(templates)
    template = TEMPLATES.get(model.kind)
    if template is None:
        raise TemplateProblem(f"no template for report kind {model.kind!r}")
    base = {
        "model": model,
        "version": __version__,
        "stylesheet": STYLESHEET,
        "illustrative_notice": ILLUSTRATIVE_NOTICE,
        "anchor_percentiles": _anchor_percentiles(model),
        "footer_text": _footer(model),
        "signal_disclaimer": SIGNAL_DISCLAIMER,
    }
    section_html = []
    for section in model.ordered_sections:
        html = _render(
            env, section.partial, {**base, "section": section, section.key: section.data}
        )
        section_html.append((section, Markup(html)))
    return _render(env, template, {**base, "section_html": section_html})


def _footer(model: ReportModel) -> str:
    facts = {f.label: f.value for f in model.run_facts}
    parts = [
        f"rvubench {__version__}",
        f"fee schedule {facts.get('Fee schedule release', 'n/a')}",
        f"policy {facts.get('Crediting policy', 'n/a')}",
        f"document date {model.document_date.isoformat()}",
    ]
    if model.benchmark is not None and model.benchmark.illustrative:
        parts.append("ILLUSTRATIVE benchmark")
    return " \u00b7 ".join(parts)


def _is_svg_data_url(scheme: str, path: str) -> bool:
    """A ``data:image/svg+xml`` URL: the charts' images (``formatting.svg_image``). It
    carries its content: the SVG is no more than the same markup inline in the page, and any
    URL inside it goes through this fetcher again."""
    media_type = path.split(",", 1)[0].split(";", 1)[0].strip().lower()
    return scheme.lower() == "data" and media_type == "image/svg+xml"


def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class FolderFetcher(URLFetcher):
        """Serves ``file:`` URLs inside one folder and SVG ``data:`` URLs; refuses every
        other URL."""

        def __init__(self, folder: Path, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.folder = folder.resolve()
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None):  # noqa: D102 - weasyprint API
            parsed = urlparse(url)
            if _is_svg_data_url(parsed.scheme, parsed.path):
                return super().fetch(url, headers)  # decoded in memory, nothing read
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if path.is_relative_to(self.folder) and path.is_file():
                    return super().fetch(url, headers)
            self.refused.append(url)
            raise ValueError(
                f"rvubench refuses to fetch {url!r}: only files inside "
                f"{self.folder} may be used by a template"
            )

    return FolderFetcher


class _RefusalFilter:
    """Drops weasyprint's log records about URLs our fetcher refused (other warnings pass)."""

    def filter(self, record: Any) -> bool:  # noqa: D102 - logging API
        return "rvubench refuses to fetch" not in record.getMessage()


def make_url_fetcher(folder: Path) -> Any:
    """A weasyprint URL fetcher limited to files inside ``folder`` (``.refused`` lists refusals)."""
    return _fetcher_class()(folder)


def html_to_pdf(html: str, folder: Path, identifier: str = "rvubench") -> tuple[bytes, list[str]]:
    """Print HTML with weasyprint, resolving relative URLs against ``folder`` only.

    Returns:
        The PDF bytes and the URLs that were refused.
    """
    import logging

    import weasyprint

    fetcher = make_url_fetcher(folder)
    logger = logging.getLogger("weasyprint")
    quiet = _RefusalFilter()
    logger.addFilter(quiet)  # refused URLs are reported by rvubench, once, as warnings
    # The cyclic garbage collector is paused while weasyprint lays out and draws: its
    # boxes and layouts are many small objects, and the full collections they triggered
    # rescanned the whole heap (imports, the log's frames) for ~0.1 s of a quarter's report.
    # What the render leaves is mostly cycles (its document, font configuration and boxes:
    # ~50,000 objects for a quarter), all still in the youngest generation: collecting that
    # one alone as the block ends frees them, and runs weasyprint's finalizers (temporary
    # font folders), without a full collection.
    try:
        with cyclic_gc_paused(collect_young=True):
            doc = weasyprint.HTML(
                string=html, base_url=str(folder.resolve()) + "/", url_fetcher=fetcher
            )
            data = doc.write_pdf(pdf_identifier=identifier.encode("utf-8")[:32].ljust(16, b"-"))
            del doc
    finally:
        logger.removeFilter(quiet)
    return data, list(fetcher.refused)


def render_pdf(model: ReportModel, target: Path, templates: Path | None = None) -> list[str]:
    """Render the model to a PDF file (written atomically).

    Returns:
        URLs a template asked for that were refused (not fetched).
    """
    folder = Path(templates) if templates is not None else templates_dir()
    html = render_html(model, folder)
    if not (folder / STYLESHEET).is_file():
        raise TemplateProblem(f"stylesheet {STYLESHEET!r} not found in {folder}")
    data, refused = html_to_pdf(html, folder, identifier=f"rvubench-{model.provider_id}")
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return refused
