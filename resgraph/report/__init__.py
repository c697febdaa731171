"""``resgraph report``: one self-contained HTML page per network.

The page holds the diagram at network, stage and block level (Graphviz SVG, pan and zoom,
a side panel per node with its spec lines and figures), the summary figures, sortable
per-stage and per-block tables, the charts, the other counters' conventions, bench results
and a TensorRT profile when given, and the spec's source linked to the nodes it made. It is
one file with every script, style and plot inline: it opens from disk with no network.

It only reads: the analyses' results on the graph (:mod:`resgraph.analysis.keys`), and the
JSON that ``resgraph bench --json`` and ``resgraph profile --json`` wrote (:mod:`.inputs`).
The API's entry is :func:`resgraph.api.report`, which resolves the spec and checks the output
first; :func:`render_report` is the page's text for a graph.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from resgraph.analysis.report import analyze_graph, gradient_curves
from resgraph.errors import UsageError
from resgraph.files import write_atomic
from resgraph.ir import Graph
from resgraph.render.labels import si
from resgraph.report.charts import Chart
from resgraph.report.inputs import Bench, Profile, read_bench, read_profile
from resgraph.report.page import Extras, context, percent, size

if TYPE_CHECKING:
    import jinja2

__all__ = ["Bench", "Profile", "chart_svg", "read_bench", "read_profile", "render_report",
           "write_report", "write_sweep_report"]


def render_report(graph: Graph, *, batch: int = 1, dtype: str = "fp32",
                  bench: Bench | None = None, profile: Profile | None = None,
                  gradients: bool = False, seed: int = 0) -> str:
    """The page of ``graph`` as HTML text; ``gradients`` adds the estimated and measured
    gradient curves to the path chart (they run the compiled module on the CPU)."""
    report = analyze_graph(graph, batch=batch, dtype=dtype)
    if gradients:
        gradient_curves(report, seed=seed)
    return _environment().get_template("page.html.j2").render(
        context(report, Extras(bench, profile)))


def write_report(graph: Graph, output: str | Path, **options: object) -> Path:
    """Write the page of ``graph`` to ``output`` whole (the caller has checked the path)."""
    return write_atomic(output, render_report(graph, **options))  # type: ignore[arg-type]


def write_sweep_report(folder: str | Path, output: str | Path, *, pages: int = 20) -> Path:
    """Write the page of a sweep folder to ``output``, and beside it, in the folder
    ``OUTPUT_STEM.candidates/``, the pages of up to ``pages`` of its candidates (the Pareto
    front first: :func:`~resgraph.report.sweep_page.candidate_pages`), which it links."""
    from resgraph.report.sweep_page import (
        candidate_graph,
        candidate_pages,
        read_sweep,
        sweep_context,
    )

    output = Path(output)
    pages_dir = output.parent / f"{output.stem}.candidates"
    if pages and pages_dir.exists() and not pages_dir.is_dir():
        raise UsageError(f"{pages_dir} is a file; the candidates' pages go in a folder of "
                         "that name (move it, or give --pages 0)")
    sweep = read_sweep(folder)
    chosen = candidate_pages(sweep, pages)
    links: dict[int, str] = {}
    if chosen:
        pages_dir.mkdir(exist_ok=True)
        for record in chosen:
            write_report(candidate_graph(sweep, record), pages_dir / f"{record['index']}.html")
            links[record["index"]] = f"{pages_dir.name}/{record['index']}.html"
    html = _environment().get_template("sweep.html.j2").render(sweep_context(sweep, links))
    return write_atomic(output, html)


def chart_svg(chart: Chart, title: str, xlabel: str = "") -> str:
    """``chart`` as an SVG file of its own (for a README or a paper): the page's chart, with
    ``title`` above it, ``xlabel`` under its x axis and the styles it needs inside."""
    return _environment().get_template("chart.svg.j2").render(
        chart=chart, title=title, xlabel=xlabel)


@cache
def _environment() -> jinja2.Environment:
    """Jinja2 over the package's templates, escaping HTML everywhere by default; one per
    process, so each template is compiled once (about half a second of a sweep's candidate
    page, each of them, before)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("resgraph.report", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(si=si, size=size, percent=percent, comma=lambda v: f"{v:,}",
                       shape=lambda s: "x".join(map(str, s)))
    return env
