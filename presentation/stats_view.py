"""/rekap as people read it: a short text and one chart sized for a phone screen."""

from __future__ import annotations

import io
import textwrap
from html import escape
from typing import Any, Protocol

from complaints.periods import Period
from complaints.stats import TIMED_STEPS, Figures
from presentation.texts import Translator


class Names(Protocol):
    """Category and agency names (presentation.context.Names)."""

    def category(self, t: Translator, key: str) -> str: ...

    def agency(self, code: str | None) -> str: ...


TOP = 5  # categories and agencies named in the text; the rest are "+N"
PHONE_SIZE = (7.2, 9.6)  # inches at 150 dpi: 1080 × 1440 px, portrait


def _quote(text: str) -> str:
    """User-given names in HTML messages (stdlib: the admin command line uses this module)."""
    return escape(text, quote=False)


def number(t: Translator, value: float, digits: int = 1) -> str:
    """1.5 as "1,5" in Indonesian, "1.5" in English; whole numbers without decimals."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return text.replace(".", ",") if t.language == "id" else text


def duration(t: Translator, seconds: int | None) -> str:
    """Minutes under two hours, hours under two days, then days."""
    if seconds is None:
        return t("stat-duration-none")
    if seconds < 7200:
        return t("stat-duration-minutes", n=number(t, seconds / 60, 0))
    if seconds < 2 * 86400:
        return t("stat-duration-hours", n=number(t, seconds / 3600))
    return t("stat-duration-days", n=number(t, seconds / 86400))


def agency_label(t: Translator, code: str | None) -> str:
    """An agency by its short code; the regional admin's own steps as "Admin"."""
    return code if code else t("agency-admin")


def _items(t: Translator, pairs: list[tuple[str, int]]) -> str:
    """"Selesai 196, Menunggu verifikasi 36, lainnya 18": the largest few, then the rest."""
    shown = [f"{_quote(name)} {count}" for name, count in pairs[:TOP]]
    rest = sum(count for _, count in pairs[TOP:])
    return ", ".join(shown + ([t("rekap-others", count=rest)] if rest else []))


def rekap_text(t: Translator, figures: Figures, names: Names) -> str:
    """The counts, the step times, the shares on time, ratings and reopenings."""
    lines = [t("rekap-title", period=figures.period.label)]
    if figures.agency:
        lines.append(t("rekap-scope", agency=_quote(names.agency(figures.agency))))
    lines.append(t("rekap-total", count=figures.total))
    if figures.total == 0:
        lines.append(t("rekap-empty"))
    else:
        lines.append(t("rekap-by-status", items=_items(t,
            [(t(f"status-{s}"), n) for s, n in figures.by_status.items()])))
        lines.append(t("rekap-by-category", items=_items(t,
            [(names.category(t, c), n) for c, n in figures.by_category.items()])))
        if not figures.agency:
            lines.append(t("rekap-by-agency", items=_items(t, [
                (code or t("rekap-no-agency"), n) for code, n in figures.by_agency.items()])))
    lines.append("")
    lines.append(t("rekap-steps"))
    for step in TIMED_STEPS:
        found = figures.steps[step]
        if not found.count:
            lines.append(t("rekap-step-none", step=t(f"step-{step}")))
            continue
        lines.append(t("rekap-step", step=t(f"step-{step}"), median=duration(t, found.median),
                       p90=duration(t, found.p90), within=found.within, count=found.count,
                       standard=t(f"standard-{step}")))
    shares = sorted(figures.within_by_agency.items(), key=lambda item: (item[0] or "",))
    if shares:
        lines.append(t("rekap-within", items=", ".join(
            f"{_quote(agency_label(t, code))} {number(t, 100 * good / measured, 0)}%"
            for code, (good, measured) in shares if measured)))
    lines.append("")
    if figures.rating_average is None:
        lines.append(t("rekap-rating-none"))
    else:
        lines.append(t("rekap-rating", rating=number(t, figures.rating_average),
                       count=figures.rating_count))
    lines.append(t("rekap-reopened", count=figures.reopened))
    return "\n".join(lines)


def rekap_chart(t: Translator, figures: Figures, *, size: tuple[float, float] = PHONE_SIZE,
                dpi: int = 150) -> bytes:
    """One PNG: reports by status, step times against the standard, on time by agency."""
    from matplotlib.figure import Figure  # imported on first use: the bot starts faster

    figure = Figure(figsize=size, dpi=dpi)
    figure.suptitle(t("chart-title", period=figures.period.label), fontsize=20,
                    fontweight="bold", x=0.03, y=0.985, ha="left")
    # a fixed layout: the automatic one costs as much as drawing (and this runs per /rekap)
    figure.subplots_adjust(left=0.36, right=0.95, top=0.91, bottom=0.04, hspace=0.42)
    status_axes, steps_axes, within_axes = figure.subplots(3, 1, height_ratios=[1, 1.1, 1])
    _status_panel(t, status_axes, figures)
    _steps_panel(t, steps_axes, figures)
    _within_panel(t, within_axes, figures)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class RekapSource(Protocol):
    """Where /rekap gets its figures and chart (bot/statistics.py: away from the event loop)."""

    async def rekap(self, period: Period, agency: str | None,
                    t: Translator) -> tuple[Figures, bytes]: ...


def _empty(t: Translator, axes: Any) -> None:
    axes.text(0.5, 0.5, t("chart-no-data"), ha="center", va="center", fontsize=15,
              transform=axes.transAxes, color="#777777")
    axes.set_xticks([])
    axes.set_yticks([])


def _status_panel(t: Translator, axes: Any, figures: Figures) -> None:
    axes.set_title(t("chart-status"), fontsize=16, loc="right")
    if not figures.by_status:
        _empty(t, axes)
        return
    labels = [textwrap.fill(t(f"status-{s}"), 22) for s in figures.by_status][::-1]
    values = list(figures.by_status.values())[::-1]
    bars = axes.barh(labels, values, color="#1f77b4")
    axes.bar_label(bars, fontsize=13, padding=3)
    axes.tick_params(labelsize=13)
    axes.set_xlim(0, max(values) * 1.2)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)


def _steps_panel(t: Translator, axes: Any, figures: Figures) -> None:
    axes.set_title(t("chart-steps"), fontsize=16, loc="right")
    steps = [s for s in TIMED_STEPS if figures.steps[s].count]
    if not steps:
        _empty(t, axes)
        return
    positions = range(len(steps))
    medians = [(figures.steps[s].median or 0) / 86400 for s in steps]
    p90s = [(figures.steps[s].p90 or 0) / 86400 for s in steps]
    axes.bar([p - 0.2 for p in positions], medians, width=0.4, label=t("chart-median"),
             color="#2ca02c")
    axes.bar([p + 0.2 for p in positions], p90s, width=0.4, label=t("chart-p90"),
             color="#ff7f0e")
    axes.set_xticks(list(positions), [t(f"step-{s}").replace(" ", "\n", 1) for s in steps],
                    fontsize=12)
    axes.tick_params(axis="y", labelsize=12)
    axes.set_ylim(0, max(p90s) * 1.3 or 1)
    axes.legend(fontsize=12, frameon=False, loc="upper left", ncols=2)
    axes.spines[["top", "right"]].set_visible(False)


def _within_panel(t: Translator, axes: Any, figures: Figures) -> None:
    axes.set_title(t("chart-within"), fontsize=16, loc="right")
    shares = [(agency_label(t, code), 100 * good / measured)
              for code, (good, measured) in sorted(figures.within_by_agency.items(),
                                                   key=lambda item: item[0] or "")
              if measured]
    if not shares:
        _empty(t, axes)
        return
    shares = shares[:12][::-1]
    colours = ["#2ca02c" if share >= 80 else "#ff7f0e" if share >= 50 else "#d62728"
               for _, share in shares]
    bars = axes.barh([name for name, _ in shares], [share for _, share in shares],
                     color=colours)
    size = 13 if len(shares) <= 8 else 11
    axes.bar_label(bars, labels=[f"{share:.0f}%" for _, share in shares], fontsize=size,
                   padding=3)
    axes.set_xlim(0, 115)
    axes.tick_params(labelsize=size)
    axes.spines[["top", "right"]].set_visible(False)
