"""`lapor-admin purge`, `citizen block|unblock|erase` and `staff erase`: personal data rights
and abuse controls from a shell (registered on the main app in admin_cli/main.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

import typer

from admin_cli.runtime import Uow, fail, local, run, say, settings, show_table
from complaints import privacy
from complaints.clock import utc_now

citizen_app = typer.Typer(add_completion=False, no_args_is_help=True)
DURATION_RE = re.compile(r"^\s*(\d+)\s*([dw]?)\s*$")


def parse_duration(value: str) -> timedelta:
    """'365d', '52w' or a plain number of days."""
    match = DURATION_RE.match(value)
    if match is None or int(match.group(1)) < 1:
        raise typer.BadParameter("expected a number of days such as 365d (or weeks: 52w)")
    days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
    return timedelta(days=days)


def purge(
    older_than: Annotated[str, typer.Option("--older-than",
                                            help="Retention period, e.g. 365d or 52w.")],
) -> None:
    """Anonymise closed and withdrawn reports untouched for longer than the retention period."""
    period = parse_duration(older_than)
    total: list[str] = []

    async def work(uow: Uow) -> None:
        while codes := await privacy.purge_finished(uow(), older_than=period, now=utc_now()):
            total.extend(codes)

    run(work)
    say(f"Anonymised {len(total)} reports finished more than {period.days} days ago"
        + (f": {', '.join(total)}" if total else "."))


@citizen_app.command("block")
def citizen_block(
    telegram_id: int,
    reason: Annotated[str, typer.Option(help="Why (kept with the block, shown to staff).")],
) -> None:
    """Block a citizen: they are told politely and nothing they send is handled or kept."""
    if not run(lambda uow: privacy.set_blocked(uow(), telegram_id, blocked=True, reason=reason,
                                               now=utc_now())):
        fail(f"No citizen with Telegram ID {telegram_id}.")
    say(f"Blocked citizen {telegram_id}.")


@citizen_app.command("unblock")
def citizen_unblock(telegram_id: int) -> None:
    """Lift a block."""
    if not run(lambda uow: privacy.set_blocked(uow(), telegram_id, blocked=False, reason=None,
                                               now=utc_now())):
        fail(f"No citizen with Telegram ID {telegram_id}.")
    say(f"Unblocked citizen {telegram_id}.")


@citizen_app.command("blocked")
def citizen_blocked() -> None:
    """List blocked citizens with when and why."""
    found = run(lambda uow: privacy.blocked_citizens(uow()))
    show_table(("Telegram ID", "Blocked", "Reason"),
               [(telegram_id, local(at), reason) for telegram_id, at, reason in found],
               title=f"{len(found)} blocked", empty="Nobody is blocked.")


@citizen_app.command("erase")
def citizen_erase(telegram_id: int) -> None:
    """Erase a citizen on request by other means than the chat (as /hapus_data does)."""
    calendar = settings().calendar
    erased = run(lambda uow: privacy.erase_citizen(uow, telegram_id, now=utc_now(),
                                                   calendar=calendar))
    if not erased.profile_deleted and not erased.anonymised:
        fail(f"No citizen with Telegram ID {telegram_id}.")
    say(f"Erased citizen {telegram_id}: {len(erased.anonymised)} reports anonymised, "
        f"{len(erased.withdrawn)} withdrawn.")


def staff_erase(telegram_id: int) -> None:
    """Erase a staff member: the role, the name, and the link from past actions to them."""
    if not run(lambda uow: privacy.erase_staff(uow(), telegram_id)):
        fail(f"No staff member with Telegram ID {telegram_id}.")
    say(f"Erased staff member {telegram_id}; their past actions stay, without their identity.")
