"""Exactly once under replays, harmless "not modified", HTML 502s and long 429s (issue 9).

A crash is reproduced at its worst moment: the update's effects are committed, but neither the
wizard's state nor the inbox's "handled" mark was stored, so the next start replays it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import redis.asyncio as aioredis
from sqlalchemy import delete, func, insert, select, true, update

from complaints import admin
from complaints.model import ChatPurpose
from complaints.validation import MAX_PHOTOS
from configuration.settings import Settings
from db import inbox as inbox_module
from db.engine import create_engine, create_sessionmaker
from db.inbox import UpdateInbox
from db.models import FsmStateRow, InboxRow, OutboxRow, SentInUpdateRow
from db.replay import forget_sends
from simulator import BotApiSimulator, SimUser
from tests.conftest import RunningBot
from tests.e2e.flows import (
    CODE_RE,
    DESCRIPTION,
    begin_report,
    expect,
    file_until_review,
    register,
    send_pin,
    submit,
)
from tests.e2e.staff import City, admin_card, agency_card, citizen_files, open_menu
from tests.e2e.storage import scalar, until
from tests.texts import fragment, text

SORRY = text("error-unexpected")


async def _settled(settings: Settings) -> None:
    """Every recorded update handled and marked, and no outbox row waiting to be sent."""
    for _ in range(400):  # 20 s
        unhandled = await scalar(settings, "select count(*) from inbox_updates "
                                           "where handled_at is null")
        waiting = await scalar(settings, "select count(*) from outbox where status = 'pending'")
        if unhandled == 0 and waiting == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot did not settle")


async def crash_after(bot: RunningBot, settings: Settings,
                      action: Callable[[], Awaitable[Any]], *, keep_state: bool = False,
                      journal: bool = True) -> Any:
    """Run `action` (one update and what it shows), then restart as if the process died
    right after that update's effects committed and its replies went out: conversation state
    and inbox mark lost (with `keep_state`, only the mark: the state was already stored).
    The journal of its replies survives, as it does after a kill; `journal=False` loses it
    too (a kill between Telegram accepting a reply and its journal row)."""
    await _settled(settings)
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    redis = aioredis.from_url(settings.redis_url) if settings.redis_url else None
    try:
        async with sessions() as session:
            before = [{"key": r.key, "state": r.state, "data": r.data, "updated_at": r.updated_at}
                      for r in await session.scalars(select(FsmStateRow))]
        states = f"{settings.redis_prefix}:*"  # each test run has a prefix of its own
        redis_before = ({key: await redis.dump(key) for key in await redis.keys(states)}
                        if redis else {})
        assert redis is None or redis_before, "no conversation state in Redis to roll back"
        # a handled update's payload is emptied (privacy): keep what the inbox got, to put back
        received: dict[int, dict[str, Any]] = {}
        record = UpdateInbox.record

        async def keeping(inbox: UpdateInbox, updates: Any) -> list[int]:
            received.update({update_id: payload for update_id, _, payload in updates})
            return await record(inbox, updates)

        UpdateInbox.record = keeping  # type: ignore[method-assign]
        inbox_module.forget_sends = keep_sends  # the mark to be undone keeps its journal
        try:
            result = await action()
            await _settled(settings)
        finally:
            UpdateInbox.record = record  # type: ignore[method-assign]
            inbox_module.forget_sends = forget_sends
        async with sessions() as session:
            last = await session.scalar(select(func.max(InboxRow.update_id)))
        await bot.stop()
        async with sessions() as session, session.begin():
            if not keep_state:
                await session.execute(delete(FsmStateRow))
                if before:
                    await session.execute(insert(FsmStateRow), before)
            await session.execute(update(InboxRow).where(InboxRow.update_id == last)
                                  .values(handled_at=None, payload=received[last]))
            await session.execute(delete(SentInUpdateRow).where(
                SentInUpdateRow.update_id != last if journal else true()))
        if redis and not keep_state:
            for key in await redis.keys(states):
                await redis.delete(key)
            for key, dumped in redis_before.items():
                await redis.restore(key, 0, dumped)
    finally:
        await engine.dispose()
        if redis:
            await redis.aclose()
    await bot.start()  # replays the update from the inbox
    await _settled(settings)
    return result


async def keep_sends(session: Any, update_ids: Any) -> None:
    """Stands in for the mark's clean-up of the journal while `crash_after` runs its action."""


def _received(user: SimUser, part: str, chat: Any = None) -> int:
    return sum(part in m.content for m in user.bot_messages(chat))


# ------------------------------------------------------------------ replays after a crash


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_replayed_send_files_once_and_tells_once(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings) -> None:
    citizen = sim.user("Budi")
    await register(citizen)
    review = await file_until_review(citizen)
    code = await crash_after(bot, settings, lambda: submit(citizen, review))
    await admin_card(city, code)
    await asyncio.sleep(0.5)  # anything the replay might still send
    assert await scalar(settings, "select count(*) from reports") == 1
    assert await scalar(settings, "select count(*) from report_events") == 1
    assert _received(citizen, fragment("intake-submitted")) == 1
    assert _received(citizen, code) == 1
    cards = [m for m in city.admin_group.bot_messages() if code in m.content and m.buttons]
    assert len(cards) == 1
    assert _received(citizen, SORRY) == 0
    # the wizard is over: a new report starts afresh
    await citizen.send_text("/lapor")
    await expect(citizen, text("intake-start"))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_a_crash_before_the_code_went_out_sends_it_on_replay(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings) -> None:
    citizen = sim.user("Fajar")
    await register(citizen, name="Fajar")
    review = await file_until_review(citizen)
    assert bot.app is not None
    bot.app.context.deliver_now = None  # the process dies after the commit, before the send

    async def send_and_die() -> None:
        await citizen.press(review, text("btn-send"))
        await city.admin.wait_for(lambda m: m.buttons and "LPR-" in m.content,
                                  chat=city.admin_group, timeout=10)

    await crash_after(bot, settings, send_and_die)
    receipt = await expect(citizen, fragment("intake-submitted"))  # at once, not in 2 minutes
    code = CODE_RE.findall(receipt.content)[0]
    await asyncio.sleep(0.5)
    assert _received(citizen, code) == 1
    assert await scalar(settings, "select count(*) from reports") == 1


async def test_replayed_resend_of_a_returned_report_applies_once(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings) -> None:
    citizen, code = await citizen_files(sim, "Dewi")
    incomplete = text("btn-return-incomplete")
    menu = await open_menu(city.admin, city.admin_group, await admin_card(city, code),
                           text("btn-return"), incomplete)
    await city.admin.press(menu, incomplete)
    returned = await expect(citizen, fragment("citizen-returned-incomplete"), wait=10)
    await citizen.press(returned, text("btn-fix-resend"))
    await expect(citizen, text("intake-fix-intro", code=code))
    review = await expect(citizen, fragment("intake-review"))

    async def resend() -> None:
        await citizen.press(review, text("btn-send"))
        await expect(citizen, "dikirim ulang (revisi 2)", code, wait=10)

    await crash_after(bot, settings, resend)
    await asyncio.sleep(0.5)
    assert await scalar(settings, "select revision from reports where code = :c", c=code) == 2
    assert await scalar(settings, "select count(*) from report_events "
                                  "where action = 'resubmit'") == 1
    assert _received(citizen, "dikirim ulang") == 1
    assert _received(citizen, SORRY) == 0
    assert not [c for c in sim.calls_to("answerCallbackQuery")
                if "Sudah ditangani" in str(c.params.get("text"))]
    # one card when filed, one when resent; one receipt each
    assert await scalar(settings, "select count(*) from outbox where kind = 'admin_card'") == 2
    assert await scalar(settings, "select count(*) from outbox "
                                  "where kind = 'citizen_resubmitted'") == 1


async def test_replayed_staff_press_applies_once_and_says_no_error(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings,
        caplog: pytest.LogCaptureFixture) -> None:
    _, code = await citizen_files(sim, "Eka")
    menu = await open_menu(city.admin, city.admin_group, await admin_card(city, code),
                           text("btn-verify-forward"), "PUPR")

    async def forward() -> None:
        await city.admin.press(menu, "PUPR")
        await agency_card(city.pupr, city.pupr_group, code)

    with caplog.at_level(logging.DEBUG):
        await crash_after(bot, settings, forward)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert await scalar(settings, "select count(*) from report_events "
                                  "where action = 'forward'") == 1
    assert await scalar(settings, "select count(*) from outbox where kind = 'agency_card'") == 1
    refused = [c for c in sim.calls_to("answerCallbackQuery")
               if "Sudah ditangani" in str(c.params.get("text"))]
    assert refused == []
    assert _received(city.admin, SORRY, city.admin_group) == 0


async def test_replayed_link_code_binds_without_calling_the_code_used(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings) -> None:
    assert bot.app is not None
    code, _ = await admin.new_link_code(bot.app.context.uow(), ChatPurpose.OPD, "DISHUB",
                                        datetime.now(UTC))
    group = sim.group("OPD Dishub", members=[city.admin])

    async def link() -> None:
        await city.admin.send_text(f"/hubungkan {code}", chat=group)
        await city.admin.wait_for(lambda m: "terhubung" in m.content, chat=group)

    await crash_after(bot, settings, link)
    assert not [m for m in group.bot_messages() if text("error-link-code") in m.content]
    binding = await admin.chat_binding(bot.app.context.uow(), group.id)
    assert binding is not None and binding.agency_code == "DISHUB"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_a_replayed_photo_is_not_added_twice(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    citizen = sim.user("Gita")
    await register(citizen, name="Gita")
    await begin_report(citizen)
    await citizen.send_photo()
    await expect(citizen, fragment("intake-photos-received"))

    async def second_photo() -> None:
        await citizen.send_photo()
        await expect(citizen, text("intake-photos-received", count=2, max=MAX_PHOTOS))

    await crash_after(bot, settings, second_photo, keep_state=True)
    await send_pin(citizen)
    await citizen.send_text(text("btn-skip"))
    await expect(citizen, text("intake-description"))
    await citizen.send_text(DESCRIPTION)
    await citizen.press(await expect(citizen, text("intake-category")), "Jalan dan jembatan")
    code = await submit(citizen, await expect(citizen, fragment("intake-review"), "Foto: 2"))
    assert await scalar(settings, "select count(*) from report_photos p join reports r "
                                  "on r.id = p.report_id where r.code = :c", c=code) == 2


async def test_replayed_wizard_step_goes_on_despite_not_modified(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    citizen = sim.user("Sari")
    await register(citizen, name="Sari")
    await file_until_review(citizen)
    # back to the category step, then crash right after the category was taken
    await citizen.send_text("/kembali")
    categories = await expect(citizen, text("intake-category"))

    async def pick() -> None:
        await citizen.press(categories, "Drainase dan banjir")
        await citizen.wait_for(lambda m: fragment("intake-review") in m.content
                               and "Drainase" in m.content and m.message_id >
                               categories.message_id)

    await crash_after(bot, settings, pick, journal=False)
    # the replay edited nothing ("not modified") and asked for the review again
    review = await citizen.wait_for(lambda m: text("btn-send") in m.buttons)
    assert any("message is not modified" in c.response.get("description", "")
               for c in sim.calls_to("editMessageText") if c.status == 400)
    citizen.drain()
    code = await submit(citizen, review)
    assert await scalar(settings, "select category_key from reports where code = :c",
                        c=code) == "drainage"
    assert _received(citizen, SORRY) == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_a_replayed_step_says_what_it_said_once(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    citizen = sim.user("Rini")
    await register(citizen, name="Rini")
    # died after /lapor's replies went out, before its step was stored or the update marked
    await crash_after(bot, settings, lambda: begin_report(citizen))
    await asyncio.sleep(0.5)  # anything the replay might still send
    assert _received(citizen, text("intake-start")) == 1
    assert _received(citizen, text("intake-photos", max=MAX_PHOTOS)) == 1
    await citizen.send_photo()  # the replay stored the step: the wizard goes on
    await expect(citizen, text("intake-photos-received", count=1, max=MAX_PHOTOS))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_a_replayed_step_whose_state_was_stored_is_not_run_again(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    citizen = sim.user("Wati")
    await register(citizen, name="Wati")
    await begin_report(citizen)
    await citizen.send_photo()
    await expect(citizen, fragment("intake-photos-received"))
    await send_pin(citizen)

    async def skip_landmark() -> None:
        await citizen.send_text(text("btn-skip"))
        await expect(citizen, text("intake-description"))

    # died between storing the description step and marking "Lewati" handled, with no
    # journal: run again at the description step, "Lewati" would be a too-short description
    await crash_after(bot, settings, skip_landmark, keep_state=True, journal=False)
    await asyncio.sleep(0.5)
    assert _received(citizen, fragment("error-description-short")) == 0
    assert _received(citizen, text("intake-description")) == 1
    await citizen.send_text(DESCRIPTION)
    await expect(citizen, text("intake-category"))


async def test_two_admins_pressing_at_once_see_no_error(
        sim: BotApiSimulator, city: City, settings: Settings,
        caplog: pytest.LogCaptureFixture) -> None:
    citizen = sim.user("Joko")
    await register(citizen, name="Joko")
    card = await admin_card(city, await submit(citizen, await file_until_review(citizen)))
    data = card.button_data(text("btn-verify-forward"))
    with caplog.at_level(logging.DEBUG):
        first, second = await asyncio.gather(city.admin.press_data(card, data),
                                             city.admin2.press_data(card, data))
        answers = [await city.admin.callback_answer(first),
                   await city.admin2.callback_answer(second)]
        await _settled(settings)
    assert not any(SORRY[:40] in (a.get("text") or "") for a in answers)
    assert any("message is not modified" in c.response.get("description", "")
               for c in sim.calls_to("editMessageReplyMarkup") if c.status == 400)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert _received(city.admin, SORRY, city.admin_group) == 0


# ------------------------------------------------------------------ HTML 502s and long 429s


async def test_html_502_on_get_updates_is_waited_out(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Rina")
    sim.faults.inject("html502", method="getUpdates", count=2)
    await citizen.send_text("/start")
    await expect(citizen, text("welcome"), wait=15)
    assert [c.status for c in sim.calls_to("getUpdates") if c.fault] == [502, 502]
    assert bot.app is not None  # still polling: the next step works too
    await expect(citizen, text("reg-consent"), wait=15)


async def test_html_502_on_a_handlers_reply_keeps_the_step(sim: BotApiSimulator, bot) -> None:
    citizen = sim.user("Tono")
    await register(citizen, name="Tono")
    sim.faults.inject("html502", method="sendMessage", chat_id=citizen.id, count=2)
    await citizen.send_text("/lapor")
    await expect(citizen, text("intake-start"), wait=15)
    await expect(citizen, fragment("intake-photos"), wait=15)
    await citizen.send_photo()
    await expect(citizen, fragment("intake-photos-received"), wait=15)
    assert _received(citizen, SORRY) == 0


async def test_html_502_on_an_outbox_send_is_retried(
        sim: BotApiSimulator, city: City, settings: Settings) -> None:
    citizen = sim.user("Wati")
    await register(citizen, name="Wati")
    review = await file_until_review(citizen)
    # more failures than the in-line retries absorb: the outbox row itself must be retried
    sim.faults.inject("html502", method="sendMessage", chat_id=city.admin_group.id, count=7)
    code = await submit(citizen, review)
    await city.admin.wait_for(lambda m: code in m.content and m.buttons, chat=city.admin_group,
                              timeout=60)
    await until(settings, "select status from outbox where kind = 'admin_card'", "sent")
    faulted = [c for c in sim.calls_to("sendMessage") if c.fault == "html502"]
    assert len(faulted) == 7


async def test_tracking_code_survives_a_long_retry_after(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    bot.settings = settings.model_copy(update={"max_retry_after": 1.0})
    await bot.restart()
    citizen = sim.user("Yanti")
    await register(citizen, name="Yanti")
    review = await file_until_review(citizen)
    # longer than the bot waits in-line: given up at once, sent again later
    sim.faults.inject("429", method="sendMessage", chat_id=citizen.id, retry_after=3)
    await citizen.press(review, text("btn-send"))
    receipt = await expect(citizen, fragment("intake-submitted"), wait=20)
    assert [c.status for c in sim.calls_to("sendMessage") if c.fault] == [429]
    code = CODE_RE.findall(receipt.content)[0]
    assert _received(citizen, code) == 1
    await until(settings, "select status from outbox where kind = 'citizen_submitted'", "sent")
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            row = (await connection.execute(
                select(OutboxRow.status, OutboxRow.attempts)
                .where(OutboxRow.kind == "citizen_submitted"))).one()
    finally:
        await engine.dispose()
    assert row.status == "sent" and row.attempts >= 1


async def test_a_handlers_reply_waits_out_a_long_retry_after(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    bot.settings = settings.model_copy(update={"max_retry_after": 1.0})
    await bot.restart()
    citizen = sim.user("Agus")
    await register(citizen, name="Agus")
    sim.faults.inject("429", method="sendMessage", chat_id=citizen.id, retry_after=3)
    await citizen.send_text("/lapor")
    await expect(citizen, text("intake-start"), wait=15)
    await expect(citizen, fragment("intake-photos"), wait=15)
    assert [c.status for c in sim.calls_to("sendMessage") if c.fault] == [429]
    assert _received(citizen, SORRY) == 0


async def test_the_code_does_not_wait_behind_paced_staff_cards(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings) -> None:
    # Telegram allows about 20 messages a minute in a group: cards wait their turn, codes not
    bot.settings = settings.model_copy(update={"group_message_interval": 20.0,
                                               "stop_timeout": 1.0})
    await bot.restart()
    first, second = sim.user("Ira"), sim.user("Oki")
    for citizen in (first, second):
        await register(citizen, name=citizen.first_name)
        await submit(citizen, await file_until_review(citizen))  # the code within 5 s each
    # the row is marked sent just after the citizen has the code
    await until(settings, "select count(*) from outbox where kind = 'citizen_submitted' "
                          "and status = 'sent'", 2)
