"""The lifecycle benchmark still drives the real bot through the whole lifecycle (tiny size)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_lifecycle_benchmark_closes_every_complaint_and_reports_memory() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "lifecycle.py"), "--citizens", "2",
         "--staff", "2", "--faults", "0", "--kills", "0", "--step-timeout", "20",
         "--run-timeout", "60"],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=True)
    lines = result.stdout.splitlines()
    [header] = [line for line in lines if line.startswith("backend ")]
    [row] = [line for line in lines if line.startswith("sqlite ")]
    columns = dict(zip(header.split(), row.split(), strict=True))
    figures = [columns[name] for name in ("closed", "stuck", "lost", "dup", "2x", "dupsend")]
    assert figures == ["2", "0", "0", "0", "0", "0"], result.stdout
    bot_mib, minimal_mib = float(columns["RSS_MiB"]), float(columns["min_MiB"])
    assert bot_mib > 50 and minimal_mib > 50, result.stdout  # both processes were measured
    assert "!" not in result.stdout, result.stdout
