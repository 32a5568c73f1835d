"""`lapor-admin`: agencies, staff, chat bindings, categories, reports and exports from a shell."""

from __future__ import annotations

import csv
import importlib
from dataclasses import astuple
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from admin_cli import privacy as privacy_cli
from admin_cli import reporting
from admin_cli.backup import db_app
from admin_cli.outbox import outbox_app
from admin_cli.queries import EXPORT_COLUMNS, report_lines
from admin_cli.runtime import (
    Uow,
    fail,
    forget_settings,
    local,
    local_iso,
    run,
    say,
    settings,
    show_table,
)
from complaints import admin, identity, services, workflow
from complaints.clock import utc_now
from complaints.errors import DomainError, ReportNotFound
from complaints.model import Agency, CaseFile, ChatPurpose, Role
from complaints.tracking import normalize_tracking_code

# Telegram group ids are negative (-100…): let them through as arguments, not as options.
NEGATIVE_IDS = {"ignore_unknown_options": True}
USAGE_ERROR = 2  # the exit code Typer gives bad arguments; ours is 1 (2 means a config error)


class AdminGroup(TyperGroup):
    """The root group: fresh settings per invocation; a bad argument is one red line, exit 1."""

    def invoke(self, ctx: typer.Context) -> Any:
        forget_settings()
        try:
            return super().invoke(ctx)
        except typer.TyperException as exc:
            if exc.exit_code != USAGE_ERROR:
                raise
            fail(f"Error: {exc.format_message()}")


def _help_without_command(ctx: typer.Context) -> None:
    """A bare group (`lapor-admin staff`) shows its help."""
    if ctx.invoked_subcommand is None:
        say(ctx.get_help())


def _app(**kwargs: Any) -> typer.Typer:
    """A command group that shows its help when called without a command."""
    sub_app = typer.Typer(add_completion=False, **kwargs)
    sub_app.callback(invoke_without_command=True)(_help_without_command)
    return sub_app


app = _app(cls=AdminGroup,
           help="LAPOR! Tarakan administration (uses DATABASE_URL, migrates first).")
agency_app, staff_app, chat_app, category_app, report_app, export_app = (_app() for _ in range(6))
for sub_app, name, help_text in (
    (agency_app, "agency", "City agencies (OPD) that handle forwarded reports."),
    (staff_app, "staff", "Telegram users with a staff role."),
    (chat_app, "chat", "Telegram groups bound to a purpose."),
    (category_app, "category", "Complaint categories and their suggested agency."),
    (report_app, "report", "Reports and their audit timeline."),
    (export_app, "export", "Data exports for the office's periodic reports."),
):
    app.add_typer(sub_app, name=name, help=help_text)
app.add_typer(privacy_cli.citizen_app, name="citizen", help="Block, unblock or erase a citizen.")
app.command("purge")(privacy_cli.purge)
staff_app.command("erase")(privacy_cli.staff_erase)
app.add_typer(outbox_app, name="outbox")
app.add_typer(db_app, name="db")
reporting.register(app, report_app)


class StaffRole(StrEnum):
    """The roles `staff add` may give (citizens are not staff)."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    OPD = "opd"
    SUPERADMIN = "superadmin"


def _now() -> datetime:
    """The current moment, timezone-aware as every service requires."""
    return utc_now()


def _purpose_text(purpose: ChatPurpose, agency_code: str | None) -> str:
    """'admin group', 'opd group of PUPR'."""
    return f"{purpose.value} group of {agency_code}" if agency_code else f"{purpose.value} group"


# --- agency ----------------------------------------------------------------------------------


@agency_app.command("add")
def agency_add(code: str, name: str) -> None:
    """Add an agency; CODE is short and upper case, e.g. PUPR."""
    agency = run(lambda uow: admin.add_agency(uow(), code, name))
    say(f"Added agency {agency.code}: {agency.name}")


@agency_app.command("list")
def agency_list(
    all_: Annotated[bool, typer.Option("--all", help="Include inactive agencies.")] = False,
) -> None:
    """List agencies (active ones unless --all)."""
    agencies = run(lambda uow: admin.list_agencies(uow(), include_inactive=all_))
    show_table(("Code", "Name", "Active"),
               ((a.code, a.name, "yes" if a.active else "no") for a in agencies),
               empty="No agencies.")


def _say_agency(agency: Agency) -> None:
    """One line about an agency after a change."""
    say(f"Agency {agency.code}: {agency.name} ({'active' if agency.active else 'inactive'})")


@agency_app.command("edit")
def agency_edit(
    code: str,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive",
                                                help="Reactivate or deactivate.")] = None,
) -> None:
    """Rename, deactivate or reactivate an agency (its reports keep their history)."""
    if name is None and active is None:
        fail("Nothing to change: give --name, --active or --inactive.")
    _say_agency(run(lambda uow: admin.edit_agency(uow(), code, name=name, active=active)))


@agency_app.command("deactivate")
def agency_deactivate(code: str) -> None:
    """Deactivate an agency: no new reports can be forwarded to it."""
    _say_agency(run(lambda uow: admin.edit_agency(uow(), code, active=False)))


# --- staff -----------------------------------------------------------------------------------


@staff_app.command("add")
def staff_add(
    telegram_id: int,
    name: Annotated[str, typer.Option(help="Name shown in the audit trail.")],
    role: Annotated[StaffRole, typer.Option(help="Staff role.")],
    agency: Annotated[str | None, typer.Option(help="Agency code (opd staff only).")] = None,
) -> None:
    """Give a Telegram user a staff role (or change it); opd staff need --agency."""
    member = run(lambda uow: admin.add_staff(uow(), telegram_id, name, Role(role.value), agency,
                                             _now()))
    where = f" of {member.agency_code}" if member.agency_code else ""
    say(f"Staff {member.telegram_id} ({member.name}) is now {member.role.value}{where}.")


@staff_app.command("list")
def staff_list() -> None:
    """List everyone with a staff role."""
    members = run(lambda uow: admin.list_staff(uow()))
    show_table(("Telegram ID", "Name", "Role", "Agency", "Active"),
               ((m.telegram_id, m.name, m.role.value, m.agency_code,
                 "yes" if m.active else "no") for m in members),
               empty="No staff yet (add one with `lapor-admin staff add`).")


@staff_app.command("remove")
def staff_remove(telegram_id: int) -> None:
    """Take a staff role away (past actions stay in the audit trail)."""
    if not run(lambda uow: admin.remove_staff(uow(), telegram_id)):
        fail(f"No staff member with Telegram ID {telegram_id}.")
    say(f"Removed staff member {telegram_id}.")


# --- chat ------------------------------------------------------------------------------------


@chat_app.command("bind", context_settings=NEGATIVE_IDS)
def chat_bind(
    chat_id: int,
    purpose: Annotated[ChatPurpose, typer.Option(help="What the group is for.")],
    agency: Annotated[str | None, typer.Option(help="Agency code (opd groups only).")] = None,
    title: Annotated[str | None, typer.Option(help="A label for listings.")] = None,
) -> None:
    """Bind a group by its chat id (see also `chat link-code`)."""
    binding = run(lambda uow: admin.bind_chat(uow(), chat_id, purpose, agency, _now(), title))
    purpose_text = _purpose_text(binding.purpose, binding.agency_code)
    say(f"Chat {binding.chat_id} bound as the {purpose_text}.")


@chat_app.command("list")
def chat_list() -> None:
    """List bound groups."""
    chats = run(lambda uow: admin.list_chats(uow()))
    show_table(("Chat ID", "Purpose", "Agency", "Title"),
               ((c.chat_id, c.purpose.value, c.agency_code, c.title) for c in chats),
               empty="No chats are bound.")


@chat_app.command("unbind", context_settings=NEGATIVE_IDS)
def chat_unbind(chat_id: int) -> None:
    """Forget a group's purpose; the bot goes silent there."""
    if not run(lambda uow: admin.unbind_chat(uow(), chat_id)):
        fail(f"Chat {chat_id} is not bound.")
    say(f"Chat {chat_id} is unbound.")


@chat_app.command("link-code")
def chat_link_code(
    purpose: Annotated[ChatPurpose, typer.Option(help="What the group will be for.")],
    agency: Annotated[str | None, typer.Option(help="Agency code (opd groups only).")] = None,
) -> None:
    """A one-time code that binds the group a staff member sends it in."""
    code, expires = run(lambda uow: admin.new_link_code(uow(), purpose, agency, _now()))
    say(f"Link code for the {_purpose_text(purpose, agency and agency.upper())}: {code}")
    say(f"Valid once, until {local(expires)}.")
    say(f"To bind the group, a staff member (see `lapor-admin staff list`) sends in it: "
        f"/hubungkan {code}")


# --- category --------------------------------------------------------------------------------


@category_app.command("list")
def category_list() -> None:
    """List categories with their suggested agency."""

    async def work(uow: Uow) -> list[tuple[str, str, str, str | None]]:
        categories = await services.list_categories(uow())
        return [(c.key, c.name_id, c.name_en, (await admin.agencies_for(uow(), c.key))[1])
                for c in categories]

    show_table(("Key", "Indonesian", "English", "Suggested agency"), run(work),
               empty="No categories.")


@category_app.command("suggest")
def category_suggest(key: str, agency: Annotated[str, typer.Argument(
        metavar="AGENCY|none", help="Agency code, or 'none' for no suggestion.")]) -> None:
    """Set (or clear with 'none') the agency suggested for a category."""
    code = None if agency.strip().lower() == "none" else agency.strip().upper()
    run(lambda uow: admin.suggest_agency(uow(), key, code))
    say(f"Category {key}: suggested agency is {code or 'none'}.")


# --- report ----------------------------------------------------------------------------------


def _category_name(names: dict[str, str], key: str) -> str:
    """'roads (Roads and bridges)', or the bare key of an inactive category."""
    return f"{key} ({names[key]})" if key in names else key


@report_app.command("show")
def report_show(
    code: str,
    show_identity: Annotated[int | None, typer.Option(
        "--show-identity", metavar="ADMIN_ID",
        help="Show an anonymous report's reporter; logged under this admin's Telegram id.")
    ] = None,
) -> None:
    """A report and its whole audit timeline (an anonymous reporter only with --show-identity)."""

    async def work(uow: Uow) -> tuple[CaseFile, dict[str, str], dict[str, str]] | None:
        try:
            case = await workflow.case_file_by_code(
                uow(), normalize_tracking_code(code) or code.strip().upper())
        except ReportNotFound:
            return None
        if case.anonymous and show_identity is not None:
            actor = await workflow.staff_actor(uow(), show_identity)
            await identity.show_identity(uow(), report_id=case.id, actor=actor, now=utc_now())
            case = await workflow.case_file(uow(), case.id)
        categories = {c.key: c.name_en for c in await services.list_categories(uow())}
        agencies = {a.code: a.name for a in await admin.list_agencies(uow(), True)}
        return case, categories, agencies

    found = run(work)  # a --show-identity of anyone but an admin is refused, nothing shown
    if found is None:
        fail(f"No report with that code: {code}")
    case, categories, agencies = found
    proof = (f"{len(case.proof_photos)} photo(s): {case.resolution_note or '-'}"
             if case.proof_photos or case.resolution_note else None)
    rating = (f"{case.rating}/5" + (f" — {case.rating_comment}" if case.rating_comment else "")
              if case.rating is not None else None)
    hidden = case.anonymous and show_identity is None
    show_table(("Field", "Value"), [
        ("Code", case.code),
        ("Status", case.status.value),
        ("Privacy", ", ".join(flag for flag, on in (("anonymous", case.anonymous),
                                                    ("confidential", case.confidential)) if on)
         or None),
        ("Category", _category_name(categories, case.category_key)),
        ("Agency", f"{case.agency_code} ({agencies.get(case.agency_code, '?')})"
         if case.agency_code else None),
        ("Created", local(case.created_at)),
        ("Updated", local(case.updated_at)),
        ("Verify due", local(case.verify_due)),
        ("Finish due", local(case.finish_due)),
        ("Closed", local(case.closed_at)),
        ("Reporter", "anonymous (--show-identity ADMIN_ID shows it, logged)" if hidden
         else f"{case.citizen_name or '-'} (Telegram ID {case.citizen_id})"),
        ("Phone", None if hidden else case.citizen_phone),
        ("Duplicate of", case.duplicate_of_code),
        ("Me too", case.me_too or None),
        ("Description", case.description),
        ("Location", f"{case.location.latitude:.6f}, {case.location.longitude:.6f} "
                     f"{case.location.map_url}"),
        ("Landmark", case.landmark),
        ("Address", case.address),
        ("Photos", len(case.photos)),
        ("Proof", proof),
        ("Rating", rating),
    ], title=f"Report {case.code}")
    show_table(("Time", "Action", "From → to", "Actor", "Note"), (
        (local(e.at), e.action,
         f"{e.from_status.value if e.from_status else '-'} → {e.to_status.value}",
         f"{'-' if hidden and e.actor_role is Role.CITIZEN else e.actor_name or '-'} "
         f"({e.actor_role.value})", e.note)
        for e in case.events), title="Timeline", empty="No timeline events.")


# --- export ----------------------------------------------------------------------------------

Day = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD")]


def _local_midnight(day: datetime | None, *, days_after: int = 0) -> datetime | None:
    """The start of a local day (plus some days) as an aware moment."""
    if day is None:
        return None
    return day.replace(tzinfo=settings().zone) + timedelta(days=days_after)


def _csv_value(value: object) -> object:
    """Empty for none, local ISO 8601 for moments, the value otherwise."""
    if isinstance(value, datetime):
        return local_iso(value)
    return "" if value is None else value


@export_app.command("reports")
def export_reports(
    out: Annotated[Path, typer.Option(help="CSV file to write.", dir_okay=False)],
    since: Day = None,
    until: Day = None,
) -> None:
    """Reports as CSV (no reporter data), created from --since to --until (local days)."""
    start, end = _local_midnight(since), _local_midnight(until, days_after=1)
    if start and end and start >= end:
        fail("--since must not be after --until.")
    lines = run(lambda uow: report_lines(uow(), since=start, until=end))
    try:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            for line in lines:
                writer.writerow(_csv_value(value) for value in astuple(line))
    except OSError as exc:
        fail(f"Cannot write {out}: {exc.strerror or exc}")
    say(f"Wrote {len(lines)} report(s) to {out}.")


# --- seed / migrate --------------------------------------------------------------------------


@app.command()
def seed() -> None:
    """Re-add any missing default agency and category suggestion (operator changes are kept)."""
    defaults = importlib.import_module("db.migrations.versions.0002_workflow")

    async def work(uow: Uow) -> tuple[list[str], list[str], list[str]]:
        existing = {a.code for a in await admin.list_agencies(uow(), include_inactive=True)}
        added = [(await admin.add_agency(uow(), code, name)).code
                 for code, name in defaults.AGENCIES if code not in existing]
        restored, skipped = [], []
        for key, code in defaults.SUGGESTED.items():
            if code is None or (await admin.agencies_for(uow(), key))[1] is not None:
                continue
            try:
                await admin.suggest_agency(uow(), key, code)
                restored.append(f"{key} → {code}")
            except DomainError:
                skipped.append(key)
        return added, restored, skipped

    added, restored, skipped = run(work)
    if not (added or restored or skipped):
        say("Nothing to do: the default agencies and category suggestions are present.")
    if added:
        say(f"Added {len(added)} agencies: {', '.join(added)}")
    if restored:
        say(f"Restored {len(restored)} category suggestions: {', '.join(restored)}")
    if skipped:
        say(f"Skipped suggestions for missing categories: {', '.join(skipped)}")


@app.command()
def migrate() -> None:
    """Apply the database migrations (every other command does this first, too)."""
    settings()
    say("Database is up to date.")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
