"""`lapor-admin outbox`: what the bot has not delivered (waiting, failed, undeliverable), and
retrying it. The superadmins also hear of failures in Telegram, at most hourly per chat."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated, TypeVar

import typer

from admin_cli.runtime import (
    _DATABASE_ERRORS,
    _database_error,
    fail,
    local,
    say,
    settings,
    show_table,
)
from complaints.clock import utc_now
from complaints.tracking import normalize_tracking_code
from db.engine import create_engine, create_sessionmaker
from db.outbox import OPEN, OutboxLine, OutboxStore

T = TypeVar("T")
NEGATIVE_IDS = {"ignore_unknown_options": True}
outbox_app = typer.Typer(add_completion=False, help=(
    "Messages the bot has not delivered yet: pending, parked for a staff chat that cannot be "
    "reached, failed after every retry, or undeliverable. Lists them; `retry` sends again."))


# The statuses `outbox --status` can show: every row not delivered yet.
RowStatus = StrEnum("RowStatus", {status.upper(): status for status in OPEN})  # type: ignore[misc]


def _store(work: Callable[[OutboxStore], Awaitable[T]]) -> T:
    """Run `work` on an outbox store over a fresh engine."""
    database_url = settings().database_url

    async def _main() -> T:
        engine = create_engine(database_url)
        try:
            return await work(OutboxStore(create_sessionmaker(engine)))
        finally:
            await engine.dispose()

    try:
        return asyncio.run(_main())
    except _DATABASE_ERRORS as exc:
        fail(_database_error(exc))


def _target(line: OutboxLine) -> str:
    """'agency PUPR', 'citizen', 'admin'."""
    return f"{line.target} {line.target_ref}" if line.target_ref else line.target


@outbox_app.callback(invoke_without_command=True, context_settings=NEGATIVE_IDS)
def outbox_list(
    ctx: typer.Context,
    chat: Annotated[int | None, typer.Option(help="Only rows for this chat id.")] = None,
    report: Annotated[str | None, typer.Option(help="Only rows of this report (tracking code).",
                                               metavar="CODE")] = None,
    status: Annotated[RowStatus | None, typer.Option(help="Only rows of this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, oldest first.")] = 200,
) -> None:
    """List pending, parked, failed and undeliverable rows (oldest first)."""
    if ctx.invoked_subcommand is not None:
        return
    code = None
    if report is not None:
        code = normalize_tracking_code(report)
        if code is None:
            fail(f"Not a tracking code: {report}")
    statuses = (status.value,) if status else OPEN
    lines = _store(lambda store: store.lines(statuses=statuses, chat_id=chat, code=code,
                                             limit=limit))
    show_table(("ID", "Status", "Kind", "To", "Report", "Chat", "Tries", "Created", "Last error"),
               ((line.id, line.status, line.kind, _target(line), line.code, line.chat_id,
                 line.attempts, local(line.created_at), line.last_error) for line in lines),
               title="Outbox", empty="Nothing waits in the outbox.")


@outbox_app.command("retry")
def outbox_retry(
    ids: Annotated[list[int] | None, typer.Argument(help="Row ids (see `lapor-admin outbox`).",
                                                    show_default=False)] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every failed, undeliverable and parked "
                                                     "row.")] = False,
) -> None:
    """Send failed, undeliverable or parked rows again (the running bot picks them up)."""
    if bool(ids) == all_:
        fail("Give row ids or --all (not both).")
    count = _store(lambda store: store.requeue(None if all_ else list(ids or []), utc_now()))
    if ids and count == 0:
        fail(f"No failed, undeliverable or parked row among: {', '.join(map(str, ids))}")
    say(f"Re-queued {count} row(s); the bot sends them within seconds.")
    if ids and count < len(ids):
        say(f"{len(ids) - count} of the given rows were not failed, undeliverable or parked.")
