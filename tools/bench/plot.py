#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Draw every workload of a memkit benchmark CSV into one SVG.

Usage: tools/bench/plot.py results.csv out.svg "title"

The CSV is the one `make bench` and `make bench-native` write (columns
workload, param, impl, hash, ns_min, ns_median, ns_max, base_impl,
median_over_base, utilisation[, bytes_per_item]).  Each workload and
parameter gets a panel of horizontal bars, one per implementation: the
median, with a whisker from the minimum to the maximum repetition, and
the ratio to the row's base printed after it.  Utilisation and footprint
rows are bars of their own figure.  memkit's rows are drawn in one
colour, the peers' in another.
"""

import csv
import sys
from html import escape

PANEL_W = 560
BAR_H = 16
LABEL_W = 250
COLS = 2


def number(row, key):
    v = row.get(key, "")
    return float(v) if v not in ("", None) else None


def panels(rows):
    order, groups = [], {}
    for r in rows:
        key = (r["workload"], r["param"])
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(r)
    return [(k, groups[k]) for k in order]


def figure(r):
    """The bar's value, its unit, and whisker ends (or None)."""
    med = number(r, "ns_median")
    if med is not None:
        return med, "ns", number(r, "ns_min"), number(r, "ns_max")
    b = number(r, "bytes_per_item")
    if b is not None:
        return b, "B", None, None
    u = number(r, "utilisation")
    return (u or 0.0) * 100, "%", None, None


def draw_panel(out, x, y, title, rows):
    vals = [figure(r) for r in rows]
    top = max([v[3] or v[0] for v in vals] + [1e-9])
    scale = (PANEL_W - LABEL_W - 110) / top
    out.append(f'<text x="{x}" y="{y + 12}" font-weight="bold">{escape(title)}</text>')
    for i, (r, (v, unit, lo, hi)) in enumerate(zip(rows, vals)):
        by = y + 20 + i * (BAR_H + 3)
        label = r["impl"] + (f' [{r["hash"]}]' if r.get("hash") else "")
        colour = "#3a6ea5" if r["impl"].startswith("memkit") else "#c0504d"
        out.append(f'<text x="{x + LABEL_W - 4}" y="{by + 12}" text-anchor="end">'
                   f'{escape(label[:40])}</text>')
        w = max(v * scale, 1)
        out.append(f'<rect x="{x + LABEL_W}" y="{by}" width="{w:.1f}" height="{BAR_H}" '
                   f'fill="{colour}"/>')
        if lo is not None and hi is not None:
            wy = by + BAR_H / 2
            out.append(f'<line x1="{x + LABEL_W + lo * scale:.1f}" y1="{wy}" '
                       f'x2="{x + LABEL_W + hi * scale:.1f}" y2="{wy}" stroke="black"/>')
        ratio = r.get("median_over_base", "")
        text = f"{v:.4g} {unit}" + (f"  x{float(ratio):.2f}" if ratio else "")
        out.append(f'<text x="{x + LABEL_W + max(w, (hi or 0) * scale) + 4:.1f}" '
                   f'y="{by + 12}">{escape(text)}</text>')
    return 28 + len(rows) * (BAR_H + 3)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.DictReader(f))
    for n, r in enumerate(rows, 2):
        if None in r or None in r.values():
            sys.exit(f"plot.py: {sys.argv[1]}:{n}: not as many fields as the header")
    if not rows:
        sys.exit(f"plot.py: no rows in {sys.argv[1]}")
    out, col_y = [], [50] * COLS
    for (workload, param), group in panels(rows):
        c = col_y.index(min(col_y))
        col_y[c] += draw_panel(out, 10 + c * (PANEL_W + 20), col_y[c],
                               f"{workload}, {param}", group) + 14
    height = max(col_y) + 40
    width = COLS * (PANEL_W + 20) + 10
    note = ("bars: median; whisker: min to max of the repetitions; xN: median over the "
            "base row's (above 1: memkit faster)")
    with open(sys.argv[2], "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'font-family="sans-serif" font-size="11">\n'
                f'<rect width="100%" height="100%" fill="white"/>\n'
                f'<text x="10" y="20" font-size="15" font-weight="bold">'
                f'{escape(sys.argv[3])}</text>\n'
                f'<text x="10" y="38">{escape(note)}</text>\n')
        f.write("\n".join(out))
        f.write("\n</svg>\n")
    print(f"plot.py: {len(rows)} rows drawn in {sys.argv[2]}")


if __name__ == "__main__":
    main()
