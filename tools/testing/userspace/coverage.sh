#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print line and branch coverage per core file from an lcov tracefile,
# against the targets (95 % of lines, 85 % of branches).
#
# Usage: coverage.sh core.info

set -euo pipefail

echo "| file | lines | line coverage | branches | branch coverage |"
echo "|---|---|---|---|---|"
awk '
	/^SF:/ { f = substr($0, 4); sub(/.*\//, "", f) }
	/^LF:/ { lf = substr($0, 4) }
	/^LH:/ { lh = substr($0, 4) }
	/^BRF:/ { bf = substr($0, 5) }
	/^BRH:/ { bh = substr($0, 5) }
	/^end_of_record/ {
		lp = lf ? 100 * lh / lf : 100
		bp = bf ? 100 * bh / bf : 100
		printf "| %s | %d of %d | %.1f %%%s | %d of %d | %.1f %%%s |\n", f, lh, lf, lp,
		       lp < 95 ? " (below 95)" : "", bh, bf, bp, bp < 85 ? " (below 85)" : ""
		tl += lf; th += lh; tb += bf; tbh += bh
		lf = lh = bf = bh = 0
	}
	END {
		printf "~| all | %d of %d | %.1f %% | %d of %d | %.1f %% |\n", th, tl,
		       100 * th / tl, tbh, tb, 100 * tbh / tb
	}' "$1" | sort | tr -d '~'
