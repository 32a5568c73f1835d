"""The intake benchmark still drives both bots end to end (figures are printed, not judged)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_intake_benchmark_files_every_complaint_with_both_bots() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "intake.py"), "--citizens", "3",
         "--warmup", "1", "--no-pin"],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=True)
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()
            if line.startswith(("real ", "minimal "))}
    assert set(rows) == {"real", "minimal"}, result.stdout
    for columns in rows.values():
        citizens, done, failed, stored = columns[1], columns[2], columns[3], columns[-1]
        assert (citizens, done, failed, stored) == ("3", "3", "0", "3"), result.stdout
    assert "benchmark aborted" not in result.stdout
