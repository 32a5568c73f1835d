"""The reports benchmark still runs end to end at a tiny size (figures printed, not judged)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_reports_benchmark_measures_every_part(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "reports.py"), "--reports", "400",
         "--citizens", "2", "--think", "0", "--db", str(tmp_path / "bench.db")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    out = result.stdout
    assert "benchmark aborted" not in out, out
    assert re.search(r"/rekap month 2025-06 \(\d+ complaints\): [\d.]+ s to figures", out), out
    assert re.search(r"/rekap year 2025 \(200 complaints\)", out), out
    assert re.search(r"staff report 2025-06 \(PDF \+ XLSX\): [\d.]+ s", out), out
    assert re.search(r"CSV export [\d,]+ rows: .*; 400 rows: [\d.]+ s, peak \d+ MiB", out), out
    assert "failed 0+0" in out, out
    assert len(re.findall(r"^goal .*: (met|NOT met)", out, re.MULTILINE)) == 4, out
