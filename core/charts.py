"""Charts for the annual reports as PNG bytes (matplotlib, Agg), with Chinese text in an installed CJK font.

Pure helpers, no models: :func:`bar_chart`, :func:`line_chart` and :func:`pie_chart` each return a PNG sized for
an A4 page (:data:`WIDTH_MM` wide at :data:`DPI`, so it fills most of the 156 mm type width of a 公文), with the
values labelled where that stays legible. Empty data gives a chart that says "暂无数据" instead of an error.

Thread safety: every chart is its own :class:`matplotlib.figure.Figure` on its own Agg canvas; pyplot and the
global ``rcParams`` are never touched, so charts may be drawn from several threads (web requests, tasks) at once.
Every text element is given the font explicitly (:data:`CJK_FONT_PATH`'s family first, DejaVu Sans as the per-glyph
fallback), which is why no "Glyph … missing from font(s)" warning appears for Chinese labels.
"""
from __future__ import annotations

import io
import math
import threading
from typing import Mapping, Sequence

# No matplotlib.use(): the backend is global state, and these charts never need it (each figure gets its own
# Agg canvas below).
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

__all__ = ["bar_chart", "line_chart", "pie_chart", "CJK_FONT_PATH", "CJK_FONT_FAMILY", "WIDTH_MM", "HEIGHT_MM",
           "DPI", "EMPTY_TEXT"]

WIDTH_MM = 150
HEIGHT_MM = 100
DPI = 150
EMPTY_TEXT = "暂无数据"
#: Debian's fonts-wqy-microhei, the font the servers have.
_DEBIAN_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
#: CJK families tried in order when WenQuanYi Micro Hei is not there (sans first: charts read better in a 黑体).
_CJK_FAMILIES = (
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
    "Source Han Sans CN", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Droid Sans Fallback",
    "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN", "AR PL UKai CN", "SimSun",
)
_PALETTE = ("#3867b0", "#d7000f", "#f0a22e", "#3a9e6e", "#8a5cb8", "#2aa6c4", "#c0648b", "#7f7f7f",
            "#a9b83a", "#6b4a2b")
_GRID = "#d9d9d9"
_TEXT = "#222222"
_font_lock = threading.Lock()


def _find_cjk_font() -> tuple[str | None, str | None]:
    """(family, path) of an installed font with Chinese glyphs, or (None, None)."""
    manager = font_manager.fontManager
    with _font_lock:
        if not any(entry.fname == _DEBIAN_FONT for entry in manager.ttflist):
            try:  # installed after matplotlib's font cache was built
                manager.addfont(_DEBIAN_FONT)
            except (OSError, RuntimeError, ValueError):
                pass
        entries = list(manager.ttflist)
    for family in _CJK_FAMILIES:
        for entry in entries:
            if entry.name == family:
                return entry.name, entry.fname
    # Any other font that has 中 and 文 (a slow path, only on machines without the usual fonts).
    from matplotlib.ft2font import FT2Font

    for entry in sorted(entries, key=lambda e: e.fname):
        try:
            font = FT2Font(entry.fname)
            if font.get_char_index(0x4E2D) and font.get_char_index(0x6587):
                return entry.name, entry.fname
        except (OSError, RuntimeError, ValueError):
            continue
    return None, None


_family, CJK_FONT_PATH = _find_cjk_font()
#: The family list given to every text element: the CJK font, then matplotlib's default as a per-glyph fallback.
CJK_FONT_FAMILY: list[str] = ([_family] if _family else []) + ["DejaVu Sans"]


def _font(size: float, *, weight: str = "normal") -> FontProperties:
    return FontProperties(family=CJK_FONT_FAMILY, size=size, weight=weight)


def _number(value: float) -> str:
    """12, 3.5, 0.25 — no trailing zeros, at most two decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _float(value) -> float:
    if value is None or value == "":
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _figure(height_mm: float = HEIGHT_MM) -> Figure:
    figure = Figure(figsize=(WIDTH_MM / 25.4, height_mm / 25.4), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.patch.set_facecolor("white")
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def _title(axes, title: str) -> None:
    if title:
        axes.set_title(str(title), fontproperties=_font(13), color=_TEXT, pad=10)


def _empty(title: str, height_mm: float = HEIGHT_MM) -> bytes:
    figure = _figure(height_mm)
    axes = figure.add_subplot()
    axes.set_axis_off()
    _title(axes, title)
    axes.text(0.5, 0.5, EMPTY_TEXT, ha="center", va="center", transform=axes.transAxes, color="#888888",
              fontproperties=_font(14))
    return _png(figure)


def _style_axes(axes, *, value_axis: str) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=9, labelfontfamily=CJK_FONT_FAMILY, colors=_TEXT)
    axes.grid(axis=value_axis, color=_GRID, linewidth=0.6)
    axes.set_axisbelow(True)


def _legend(figure, axes, count: int) -> None:
    if count > 1:
        figure.legend(*axes.get_legend_handles_labels(), loc="outside lower center", ncols=min(count, 5),
                      frameon=False, prop=_font(9))


def _category_labels(axes, categories: Sequence[str], *, horizontal: bool) -> None:
    positions = list(range(len(categories)))
    labels = [str(c) for c in categories]
    if horizontal:
        axes.set_yticks(positions, labels)
        return
    crowded = len(labels) > 8 or sum(len(label) for label in labels) > 40
    if crowded:
        axes.set_xticks(positions, labels, rotation=35, ha="right", rotation_mode="anchor")
    else:
        axes.set_xticks(positions, labels)


def _unit_label(axes, unit: str, *, horizontal: bool = False) -> None:
    if unit:
        setter = axes.set_xlabel if horizontal else axes.set_ylabel
        setter(f"单位：{unit}", fontproperties=_font(9), color=_TEXT)


def _series(categories: Sequence, series: Mapping[str, Sequence] | None) -> dict[str, list[float]]:
    """Each series as floats, cut or padded (NaN) to the number of categories."""
    count = len(categories)
    result = {}
    for name, values in (series or {}).items():
        values = [_float(v) for v in list(values or [])[:count]]
        result[str(name)] = values + [math.nan] * (count - len(values))
    return result


def _has_data(series: dict[str, list[float]]) -> bool:
    return any(not math.isnan(v) for values in series.values() for v in values)


def bar_chart(title: str, categories: Sequence[str], series: Mapping[str, Sequence[float]], *,
              stacked: bool = False, horizontal: bool = False, unit: str = "") -> bytes:
    """A bar chart as PNG bytes: one bar per category and series (grouped, or ``stacked``), ``horizontal`` for
    long category names (the chart grows taller with the categories, up to 200 mm). Values are labelled at the
    bar ends (and stack totals when stacked) while there are not too many bars; missing values count as 0.
    """
    categories = list(categories or [])
    data = _series(categories, series)
    height = HEIGHT_MM if not horizontal else min(200, max(HEIGHT_MM, 30 + 8 * len(categories) *
                                                           (1 if stacked else max(1, len(data)) ** 0.5)))
    if not categories or not _has_data(data):
        return _empty(title, height)
    figure = _figure(height)
    axes = figure.add_subplot()
    _title(axes, title)
    _style_axes(axes, value_axis="x" if horizontal else "y")
    count = len(data)
    positions = list(range(len(categories)))
    group = 0.8
    width = group if stacked else group / count
    bottoms = [0.0] * len(categories)
    label_each = len(categories) * count <= (40 if not stacked else 24)
    draw = axes.barh if horizontal else axes.bar
    for index, (name, raw) in enumerate(data.items()):
        values = [0.0 if math.isnan(v) else v for v in raw]
        if stacked:
            where = positions
        else:
            where = [p - group / 2 + width * (index + 0.5) for p in positions]
        extra = {"left": bottoms} if horizontal else {"bottom": bottoms}
        size = {"height": width} if horizontal else {"width": width}
        bars = draw(where, values, label=name, color=_PALETTE[index % len(_PALETTE)], **size,
                    **(extra if stacked else {}))
        if label_each:
            if stacked:
                if count > 1:
                    labels = [_number(v) if v else "" for v in raw]
                    axes.bar_label(bars, labels=labels, label_type="center", fontsize=8, color="white",
                                   fontfamily=CJK_FONT_FAMILY)
            else:
                axes.bar_label(bars, labels=[_number(v) for v in raw], padding=2, fontsize=8, color=_TEXT,
                               fontfamily=CJK_FONT_FAMILY)
        if stacked:
            bottoms = [b + v for b, v in zip(bottoms, values)]
    if stacked and len(categories) <= 24:
        for position, total in zip(positions, bottoms):
            if not total:
                continue
            if horizontal:
                axes.annotate(_number(total), (total, position), xytext=(3, 0), textcoords="offset points",
                              ha="left", va="center", fontsize=8, color=_TEXT, fontfamily=CJK_FONT_FAMILY)
            else:
                axes.annotate(_number(total), (position, total), xytext=(0, 3), textcoords="offset points",
                              ha="center", va="bottom", fontsize=8, color=_TEXT, fontfamily=CJK_FONT_FAMILY)
    _category_labels(axes, categories, horizontal=horizontal)
    if horizontal:
        axes.invert_yaxis()  # the first category on top, as read
        axes.margins(x=0.12)
    else:
        axes.margins(y=0.12)
    _unit_label(axes, unit, horizontal=horizontal)
    _legend(figure, axes, count)
    return _png(figure)


def line_chart(title: str, categories: Sequence[str], series: Mapping[str, Sequence[float]], *,
               unit: str = "") -> bytes:
    """A line chart as PNG bytes, one line with markers per series; missing values leave a gap. Points are
    labelled while there are at most 12 categories and 3 series."""
    categories = list(categories or [])
    data = _series(categories, series)
    if not categories or not _has_data(data):
        return _empty(title)
    figure = _figure()
    axes = figure.add_subplot()
    _title(axes, title)
    _style_axes(axes, value_axis="y")
    positions = list(range(len(categories)))
    label_points = len(categories) <= 12 and len(data) <= 3
    for index, (name, values) in enumerate(data.items()):
        color = _PALETTE[index % len(_PALETTE)]
        axes.plot(positions, values, marker="o", markersize=4, linewidth=1.8, color=color, label=name)
        if label_points:
            for position, value in zip(positions, values):
                if not math.isnan(value):
                    axes.annotate(_number(value), (position, value), xytext=(0, 5), textcoords="offset points",
                                  ha="center", va="bottom", fontsize=8, color=color, fontfamily=CJK_FONT_FAMILY)
    _category_labels(axes, categories, horizontal=False)
    finite = [v for values in data.values() for v in values if not math.isnan(v)]
    axes.margins(y=0.15)
    if min(finite) >= 0:
        axes.set_ylim(bottom=0)
    _unit_label(axes, unit)
    _legend(figure, axes, len(data))
    return _png(figure)


def pie_chart(title: str, labels: Sequence[str], values: Sequence[float]) -> bytes:
    """A pie chart as PNG bytes with a legend "label  value（share%）" on the right; shares of 5 % or more are
    also written on the slices. Values that are missing, zero or negative are left out; past 10 slices the
    smallest are summed as "其他"."""
    pairs = [(str(label), _float(value)) for label, value in zip(labels or [], values or [])]
    pairs = [(label, value) for label, value in pairs if not math.isnan(value) and value > 0]
    if not pairs:
        return _empty(title)
    if len(pairs) > 10:
        pairs.sort(key=lambda pair: pair[1], reverse=True)
        pairs = pairs[:9] + [("其他", sum(value for _, value in pairs[9:]))]
    total = sum(value for _, value in pairs)
    figure = _figure()
    axes = figure.add_subplot()
    _title(axes, title)
    wedges, _texts, autotexts = axes.pie(
        [value for _, value in pairs], colors=[_PALETTE[i % len(_PALETTE)] for i in range(len(pairs))],
        startangle=90, counterclock=False, autopct=lambda pct: f"{pct:.1f}%" if pct >= 5 else "",
        pctdistance=0.7, wedgeprops={"linewidth": 1, "edgecolor": "white"},
        textprops={"fontfamily": CJK_FONT_FAMILY, "fontsize": 8, "color": "white"},
    )
    axes.set_aspect("equal")
    legend = [f"{label}  {_number(value)}（{value / total * 100:.1f}%）" for label, value in pairs]
    axes.legend(wedges, legend, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, prop=_font(9))
    return _png(figure)
