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
    [line] = [line for line in result.stdout.splitlines() if line.startswith("sqlite ")]
    columns = line.split()
    closed, lost, duplicated, twice = columns[6], columns[13], columns[14], columns[15]
    assert (closed, lost, duplicated, twice) == ("2", "0", "0", "0"), result.stdout
    bot_mib, minimal_mib = float(columns[-2]), float(columns[-1])
    assert bot_mib > 50 and minimal_mib > 50, result.stdout  # both processes were measured
    assert "!" not in result.stdout, result.stdout
