#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Draw a memkit range from its debugfs json dump as an SVG picture.

Usage: range-svg.py [-o OUT.svg] [--by size|color] [DUMP.json]

DUMP.json is /sys/kernel/debug/memkit/<name>/json (or the driver's own
directory for a range made with a debugfs parent); without it the dump is
read from stdin.  The whole range is drawn as rows of cells, left to right
and top to bottom in address order: free space light grey, allocations
coloured by their size (log scale) or, with --by color (the default when
any allocation has a colour), by their colour tag.  The largest free
region is outlined in red, and the header gives the totals.

Regions narrower than a pixel are not lost: each pixel of a row shows the
share of its units that are in use, so a range with millions of regions
still draws in one pass over them.
"""

import argparse
import json
import math
import sys

WIDTH = 1024		# pixels per row
ROWS = 32		# rows the range is folded into
ROW_H = 14
GAP = 2
TOP = 64		# header height
FREE = "#e4e4e4"


def hsl(h, s=0.55, l=0.5):
    """An sRGB hex colour from hue (degrees), saturation and lightness."""
    c = (1 - abs(2 * l - 1)) * s
    x = c * (1 - abs((h / 60) % 2 - 1))
    m = l - c / 2
    r, g, b = [(c, x, 0), (x, c, 0), (0, c, x), (0, x, c), (x, 0, c), (c, 0, x)][int(h // 60) % 6]
    return "#%02x%02x%02x" % tuple(round((v + m) * 255) for v in (r, g, b))


def size_colour(size, largest):
    """Blue for the smallest allocations through to red for the largest."""
    t = math.log2(size) / max(1.0, math.log2(max(largest, 2)))
    return hsl(240 - 240 * min(1.0, t))


def tag_colour(tag):
    return hsl((tag * 137.5) % 360)


def draw(dump, by):
    size = dump["size"]
    regions = dump["regions"]
    used = [r for r in regions if r[2]]
    if by is None:
        by = "color" if any(r[3] for r in used) else "size"
    biggest = max((r[1] for r in used), default=1)
    units_per_px = size / (WIDTH * ROWS)

    # Pixels: [used units, units of the dominant allocation, its colour].
    px = [[0.0, 0.0, FREE] for _ in range(WIDTH * ROWS)]
    for off, length, is_used, tag in regions:
        if not is_used:
            continue
        colour = tag_colour(tag) if by == "color" else size_colour(length, biggest)
        first = int(off / units_per_px)
        last = min(WIDTH * ROWS - 1, int((off + length - 1) / units_per_px))
        for p in range(first, last + 1):
            lo = max(off, p * units_per_px)
            hi = min(off + length, (p + 1) * units_per_px)
            share = hi - lo
            if share <= 0:
                continue
            px[p][0] += share
            if share > px[p][1]:
                px[p][1] = share
                px[p][2] = colour

    out = []
    height = TOP + ROWS * (ROW_H + GAP) + 40
    out.append('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
               'font-family="monospace" font-size="12">' % (WIDTH + 20, height))
    out.append('<rect width="100%" height="100%" fill="white"/>')
    free = dump["free"]
    frag = 0.0 if not free else 1 - dump["largest_free"] / free
    out.append('<text x="10" y="18" font-size="15">memkit range %s (%s): %d units, %.1f%% used'
               '</text>' % (dump["name"] or "(unnamed)", dump["kind"], size,
                            100.0 * (size - free) / size if size else 0))
    out.append('<text x="10" y="36">%d allocations of %d, %d free regions, largest free %d, '
               'fragmentation %.3f%s</text>' % (dump["allocs"], dump["max_allocs"],
                                                dump["free_regions"], dump["largest_free"], frag,
                                                "" if dump["complete"] else " (walk incomplete)"))
    out.append('<text x="10" y="54">each row %.6g units, each pixel %.6g; allocations coloured '
               'by %s; red outline: the largest free region</text>' %
               (size / ROWS, units_per_px, "colour tag" if by == "color" else "size (blue small, red large)"))

    for row in range(ROWS):
        y = TOP + row * (ROW_H + GAP)
        out.append('<rect x="10" y="%d" width="%d" height="%d" fill="%s"/>' % (y, WIDTH, ROW_H, FREE))
        x = 0
        while x < WIDTH:
            p = px[row * WIDTH + x]
            if p[0] <= 0:
                x += 1
                continue
            # One rectangle for a run of full pixels of one colour.
            run = 1
            full = p[0] >= units_per_px * 0.999
            while (x + run < WIDTH and full and px[row * WIDTH + x + run][2] == p[2] and
                   px[row * WIDTH + x + run][0] >= units_per_px * 0.999):
                run += 1
            opacity = "" if full else ' fill-opacity="%.2f"' % max(0.15, p[0] / units_per_px)
            out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"%s/>' %
                       (10 + x, y, run, ROW_H, p[2], opacity))
            x += run

    # The largest free region, outlined row by row.
    hole = max((r for r in regions if not r[2]), key=lambda r: (r[1], -r[0]), default=None)
    if hole and hole[1] == dump["largest_free"] and hole[1] > 0:
        a = hole[0] / units_per_px
        b = (hole[0] + hole[1]) / units_per_px
        row = int(a // WIDTH)
        while row < ROWS and row * WIDTH < b:
            lo = max(a, row * WIDTH) - row * WIDTH
            hi = min(b, (row + 1) * WIDTH) - row * WIDTH
            y = TOP + row * (ROW_H + GAP)
            out.append('<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="none" '
                       'stroke="red" stroke-width="2"/>' % (10 + lo, y, max(hi - lo, 1), ROW_H))
            row += 1
        out.append('<text x="10" y="%d">largest free region: %d units at offset %d</text>' %
                   (TOP + ROWS * (ROW_H + GAP) + 16, hole[1], hole[0]))
    out.append('</svg>')
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dump", nargs="?", help="the json file (default: stdin)")
    ap.add_argument("-o", "--output", help="the SVG to write (default: stdout)")
    ap.add_argument("--by", choices=("size", "color"), help="what colours an allocation")
    args = ap.parse_args()
    with (open(args.dump) if args.dump else sys.stdin) as f:
        dump = json.load(f)
    if dump["size"] <= 0:
        sys.exit("range-svg.py: the range has no units")
    svg = draw(dump, args.by)
    if args.output:
        with open(args.output, "w") as f:
            f.write(svg)
    else:
        sys.stdout.write(svg)


if __name__ == "__main__":
    main()
