"""A database already at the newest revision is started without loading Alembic."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from db.migrate import alembic_config, downgrade, head_revisions, is_current, upgrade

ROOT = Path(__file__).resolve().parents[2]


def test_head_read_from_the_files_is_alembics_head(tmp_path: Path) -> None:
    config = alembic_config(f"sqlite+inline:///{tmp_path / 'x.db'}")
    assert head_revisions() == set(ScriptDirectory.from_config(config).get_heads())


async def test_is_current_only_at_the_newest_revision(tmp_path: Path) -> None:
    url = f"sqlite+inline:///{tmp_path / 'lapor.db'}"
    assert not await is_current(url)  # no schema at all
    await asyncio.to_thread(upgrade, url)  # Alembic's env runs its own event loop
    assert await is_current(url)
    await asyncio.to_thread(downgrade, url, "-1")
    assert not await is_current(url)


def test_starting_on_a_current_database_leaves_alembic_unloaded(tmp_path: Path) -> None:
    url = f"sqlite+inline:///{tmp_path / 'lapor.db'}"
    upgrade(url)
    probe = ("import asyncio, sys\nfrom db.migrate import upgrade_async\n"
             f"asyncio.run(upgrade_async({url!r}))\nprint('alembic' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False", result.stderr
