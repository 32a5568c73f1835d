"""A bad day, end to end: the real `lapor-bot` process, a misbehaving Bot API, SIGKILLs.

Each test runs benchmarks/lifecycle.py's scenario at a small size with a fixed seed (faults are
drawn per method, chat and call number, so a seed replays the same faults; kill moments are
drawn from it too): citizens register and file, staff verify, forward, process, send proof and
close, citizens rate. Afterwards, from the database and from what every chat received: each
complaint stored once, each transition applied once, every notice of every closed complaint
there and in lifecycle order, no send repeated in a chat beyond the ones the bot cannot know
reached it: Telegram accepted them before the connection dropped, or a kill came while they were
on their way (the replay sends those again and logs it). Both are counted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.lifecycle import Outcome, Plan, run
from simulator.chaos import ALL_KINDS, JSON_KINDS
from tests.conftest import REDIS_PREFIX, REDIS_URL, reset_postgres


def invariants(outcome: Outcome) -> None:
    """What must hold even on the worst day."""
    assert not outcome.errors, outcome.errors
    assert not outcome.stuck, outcome.stuck  # nobody waited in vain
    assert outcome.lost == 0, outcome.stored  # every Send pressed is stored
    assert not outcome.twice_applied, outcome.twice_applied
    assert not outcome.out_of_order, outcome.out_of_order
    assert not outcome.missing, outcome.missing
    assert outcome.outbox_unsent == 0


@pytest.mark.parametrize("kinds", [pytest.param(JSON_KINDS, id="json-faults"),
                                   pytest.param(ALL_KINDS, id="with-html-502")])
async def test_ten_percent_faults_on_every_call_lose_and_repeat_nothing(
        tmp_path: Path, kinds: tuple[str, ...]) -> None:
    outcome = await run(Plan(citizens=5, staff=2, faults=0.1, kinds=kinds, seed=20261201,
                             step_timeout=20, run_timeout=45, minimal=False), tmp_path)
    assert sum(outcome.injected.values()) >= 10, outcome.injected  # the day was bad
    assert "html502" not in kinds or outcome.injected["html502"], outcome.injected
    invariants(outcome)
    assert outcome.duplicated == 0, outcome.stored
    assert outcome.unexplained_duplicates == 0, outcome.repeated
    assert outcome.closed == 5


async def test_sigkill_at_busy_moments_then_restart_loses_and_repeats_nothing(
        tmp_path: Path) -> None:
    outcome = await run(Plan(citizens=6, staff=2, kills=4, seed=10, step_timeout=20,
                             run_timeout=55, minimal=False, stagger=4.0), tmp_path)
    assert sorted(outcome.kills_done) == sorted(  # the scenario reached every kill moment
        ["mid-wizard", "after-send", "after-staff-press", "mid-outbox-send"])
    invariants(outcome)
    assert outcome.closed == 6
    assert outcome.duplicated == 0, outcome.stored  # a replayed /lapor names the same draft
    # a replayed update or outbox row repeats nothing its first run got through
    assert outcome.unexplained_duplicates == 0, (outcome.repeated, outcome.in_flight_at_kill)


async def test_sigkill_on_postgresql_and_redis_then_restart_loses_and_repeats_nothing(
        tmp_path: Path) -> None:
    # conversation state in Redis: a killed process left aiogram's 60 s Redis lock on every
    # chat it was serving, and after the restart nobody got an answer for a minute
    outcome = await run(Plan(citizens=4, staff=2, kills=2, seed=10, step_timeout=20,
                             run_timeout=55, minimal=False, stagger=4.0, backend="postgres",
                             postgres_url=await reset_postgres(), redis_url=REDIS_URL,
                             redis_prefix=f"{REDIS_PREFIX}:chaos"), tmp_path)
    assert len(outcome.kills_done) == 2
    invariants(outcome)
    assert outcome.closed == 4
    assert outcome.duplicated == 0, outcome.stored
    assert outcome.unexplained_duplicates == 0, (outcome.repeated, outcome.in_flight_at_kill)
