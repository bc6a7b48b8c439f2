# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration for memkit's documentation: `make htmldocs`.
# kernel-doc comments are pulled from the sources with the kernel's own
# kerneldoc extension, found in the 6.12 source tree named by MEMKIT_KSRC
# (tools/testing/kernel.sh source prints it).

import os
import sys

ksrc = os.environ.get("MEMKIT_KSRC")
if not ksrc:
    sys.exit("conf.py: set MEMKIT_KSRC to a kernel source tree (make htmldocs does)")
sys.path.insert(0, os.path.join(ksrc, "Documentation", "sphinx"))

project = "memkit"
copyright = "The memkit authors"
master_doc = "index"
extensions = ["kerneldoc"]
kerneldoc_bin = os.path.join(ksrc, "scripts", "kernel-doc")
kerneldoc_srctree = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

# Kernel attributes that appear in documented prototypes.
c_id_attributes = ["__always_inline", "__printf", "__acquires", "__releases"]
c_paren_attributes = ["__printf", "__acquires", "__releases"]

html_theme = "alabaster"
exclude_patterns = ["_build"]
