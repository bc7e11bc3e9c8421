"""Trend charts drawn on the server as SVG with matplotlib.

Server-side SVG needs no JavaScript library, works offline and passes a CSP without inline
script. The figure is built with the object API (no pyplot global state) under a lock, and the
finished SVG is cached by its data, so a repeated request (or the same data after a reindex)
costs nothing.
"""

from __future__ import annotations

import io
import math
import threading
from functools import lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from indexer.results import TrendsResult

# Colour-blind-safe palette (Okabe–Ito), dark enough against white for WCAG non-text contrast.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000",
           "#7F3C8D", "#11A579", "#3969AC", "#F2B701", "#E73F74", "#80BA5A")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p", "8")
STYLES = ("-", "--", "-.", ":")
_LOCK = threading.Lock()

Series = tuple[tuple[str, tuple[int | None, ...]], ...]
GAP_COLOUR = "#e8ebef"
GAP_LABEL = "Inga möten i arkivet"
Key = tuple[str, tuple[int, ...], Series]


def chart_key(title: str, result: TrendsResult) -> Key:
    return (title, result.years, tuple((s.name, s.counts) for s in result.series))


def trend_svg(title: str, result: TrendsResult) -> str:
    return _render(chart_key(title, result))


@lru_cache(maxsize=64)
def _render(key: Key) -> str:
    title, years, series = key
    with _LOCK:
        fig = Figure(figsize=(9, 4.2), dpi=96)
        ax = fig.add_subplot()
        if len(years) >= 3:
            _lines(ax, years, series)
        else:
            _bars(ax, years, series)
        ax.set_xlabel("År")
        ax.set_ylabel("Antal punkter")
        if 0 < len(years) <= 20:
            ax.set_xticks(list(years))
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", color="#d0d5db", linewidth=0.8)
        ax.spines[["top", "right"]].set_visible(False)
        if series:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9)
        fig.tight_layout()
        out = io.StringIO()
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "protokoll"}):
            fig.savefig(out, format="svg", metadata={"Title": title, "Date": None})
    return _accessible(out.getvalue(), title)


def _lines(ax: Any, years: tuple[int, ...], series: Series) -> None:
    """A year without meetings in the archive (None) is NaN, which matplotlib leaves as a gap in
    the line; years missing for every series are shaded, so the gap is visibly missing data."""
    _shade_gaps(ax, years, series)
    # Later series are thinner and dashed, so a line lying on top of another still shows both.
    for i, (name, counts) in enumerate(series):
        values = [math.nan if c is None else c for c in counts]
        ax.plot(years, values, label=name, color=PALETTE[i % len(PALETTE)],
                marker=MARKERS[i % len(MARKERS)], linewidth=max(1.2, 3.6 - 0.6 * i),
                markersize=max(4, 9 - i), linestyle=STYLES[i % len(STYLES)], zorder=3 + i)
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)


def _bars(ax: Any, years: tuple[int, ...], series: Series) -> None:
    """One or two years make a poor line; grouped bars show the same numbers honestly."""
    width = 0.8 / max(1, len(series))
    _shade_gaps(ax, years, series)
    for i, (name, counts) in enumerate(series):
        kept = [(y, c) for y, c in zip(years, counts) if c is not None]
        offsets = [y - 0.4 + width * (i + 0.5) for y, _ in kept]
        ax.bar(offsets, [c for _, c in kept], width=width * 0.9, label=name,
               color=PALETTE[i % len(PALETTE)])  # fmt: skip
    if years:
        ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)


def _shade_gaps(ax: Any, years: tuple[int, ...], series: Series) -> None:
    gaps = [y for j, y in enumerate(years) if series and all(c[j] is None for _, c in series)]
    for n, year in enumerate(gaps):
        ax.axvspan(year - 0.5, year + 0.5, color=GAP_COLOUR, zorder=0,
                   label=GAP_LABEL if n == 0 else None)  # fmt: skip


def _accessible(svg: str, title: str) -> str:
    """Give the root <svg> role="img" and an aria-label so the image has a name of its own."""
    from markupsafe import escape

    label = str(escape(title))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def set_cache_size(size: int) -> None:
    """Apply ``CHART_CACHE_SIZE`` (called once by the trends blueprint)."""
    global _render
    _render = lru_cache(maxsize=max(1, size))(_render.__wrapped__)
