"""Run every benchmark in turn (each prints its own ratios against bare transformers measured in the same run).

Run: python benchmarks/run_all.py        (about 10 minutes on a 2-core CPU)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = [
    ["bench_analyze.py"],
    ["bench_generate.py"],
    ["bench_lens.py"],
    ["bench_icl.py"],
    ["bench_widget.py"],
    ["bench_served.py"],  # needs llama-cpp-python's server (bash scripts/setup.sh --test installs it)
    ["bench_llama_server.py"],  # needs llama-server too (setup --test builds it)
]

if __name__ == "__main__":
    failed = []
    for args in BENCHMARKS:
        print(f"\n=== {' '.join(args)}", flush=True)
        if subprocess.run([sys.executable, str(HERE / args[0]), *args[1:]]).returncode != 0:
            failed.append(args[0])
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")
