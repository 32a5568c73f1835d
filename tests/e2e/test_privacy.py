"""A citizen's rights and the data minimisation of issue 10, end to end: what the chats got,
what the database holds afterwards."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import text as sql

from bot.logging_setup import install_logging
from configuration.settings import Settings
from db.engine import create_engine
from simulator import BotApiSimulator, SimUser
from tests.conftest import RunningBot
from tests.e2e.flows import DESCRIPTION, begin_report, expect, file_until_review, register, submit
from tests.e2e.staff import City, admin_card, citizen_files, forward
from tests.texts import fragment, text

PHONE = "6281234567890"


async def rows(settings: Settings, query: str, **params: Any) -> list[Any]:
    """What the bot's database holds, read as an auditor would."""
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(sql(query), params)).all())
    finally:
        await engine.dispose()


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def handled_inbox(settings: Settings, chat_id: int) -> list[Any]:
    """The inbox rows of a chat once handled (marking happens just after handling)."""
    for _ in range(40):
        found = await rows(settings, "select payload, handled_at from inbox_updates "
                           "where chat_key = :chat", chat=str(chat_id))
        if found and all(handled is not None for _, handled in found):
            return [_json(payload) for payload, _ in found]
        await asyncio.sleep(0.1)
    raise AssertionError(f"inbox rows of {chat_id} not all handled: {found}")


async def test_my_data_is_a_json_file_with_everything_and_a_summary(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    citizen, code = await citizen_files(sim, "Budi", photos=2)
    await citizen.send_text("/data_saya")
    summary = await expect(citizen, "Budi", "+" + PHONE, code)
    assert fragment("export-summary").split("\n")[0] in summary.content
    document = await citizen.next_message()
    assert document.document is not None and document.document["file_name"].endswith(".json")
    [call] = sim.calls_to("sendDocument")
    [upload] = call.files.values()
    data = json.loads(upload.data)
    assert data["profile"]["name"] == "Budi" and data["profile"]["phone"] == "+" + PHONE
    assert data["profile"]["consent_version"] == settings.consent_version
    assert data["profile"]["consent_at"]
    [report] = data["reports"]
    assert report["code"] == code and report["description"] == DESCRIPTION
    assert len(report["photos"]) == 2 and all(p["file_id"] for p in report["photos"])
    assert [e["action"] for e in report["events"]] == ["submit"]
    # what polling kept of the conversation is the update ids, not what was sent
    payloads = await handled_inbox(settings, citizen.id)
    assert payloads and all(p == {} for p in payloads)


async def _until_no_card_names(group_messages: Any, codes: tuple[str, ...], name: str) -> None:
    for _ in range(100):
        cards = [m for m in group_messages() if any(c in m.content for c in codes)]
        if cards and all(name not in m.content for m in cards):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("a staff card still names the erased citizen")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_erasure_withdraws_anonymises_and_deletes_the_profile(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings) -> None:
    citizen, working = await citizen_files(sim, "Budi Santoso", photos=1)
    await forward(city, await admin_card(city, working), "PUPR")
    agency = await city.pupr.wait_for(lambda m: working in m.content and "Budi Santoso"
                                      in m.content, chat=city.pupr_group)
    assert PHONE not in agency.content  # agencies never see the phone number
    assert all(PHONE not in m.content for m in city.pupr_group.bot_messages())
    await citizen.wait_for(lambda m: working in m.content and "diteruskan" in m.content)
    citizen.drain()
    waiting = await submit(citizen, await file_until_review(citizen))
    waiting_card = await admin_card(city, waiting)
    block_data = waiting_card.button_data(text("btn-block-citizen"))

    await citizen.send_text("/hapus_data")
    confirm = await citizen.wait_for(lambda m: text("btn-erase-yes") in m.buttons)
    assert waiting in confirm.content and working in confirm.content  # the warning names both
    await citizen.press(confirm, text("btn-erase-yes"))
    await citizen.wait_for(lambda m: m.content.startswith("Data Anda telah dihapus."))
    await city.admin.wait_for(lambda m: m.content == text("admin-withdrawn", code=waiting),
                              chat=city.admin_group, timeout=10)

    assert await rows(settings, "select * from citizens where telegram_id = :id",
                      id=citizen.id) == []
    reports = await rows(settings, "select code, status, citizen_id, description, landmark, "
                         "anonymised_at from reports order by id")
    assert [(r[0], r[1]) for r in reports] == [(working, "forwarded"), (waiting, "withdrawn")]
    assert all(r[2] == 0 and r[3] == "" and r[4] is None and r[5] is not None for r in reports)
    assert await rows(settings, "select * from report_photos where purpose = 'evidence'") == []
    assert await rows(settings, "select * from report_events where actor_id = :id",
                      id=citizen.id) == []
    # the cards the staff groups hold are edited: the name is gone from them too
    await _until_no_card_names(city.admin_group.bot_messages, (working, waiting),
                               "Budi Santoso")
    await _until_no_card_names(city.pupr_group.bot_messages, (working,), "Budi Santoso")
    # a press on the card from before the erasure finds nobody to block
    answer = await city.admin.callback_answer(
        await city.admin.press_data(waiting_card, block_data))
    assert answer["text"] == text("block-anonymous") and answer["show_alert"]
    # the citizen is a stranger now: nothing of theirs is listed
    await citizen.send_text("/status")
    await citizen.wait_for(lambda m: m.content == text("status-none"))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_a_blocked_citizen_is_told_politely_and_nothing_is_kept(
        sim: BotApiSimulator, bot: RunningBot, city: City, settings: Settings) -> None:
    citizen, code = await citizen_files(sim, "Budi", photos=1)
    card = await admin_card(city, code)
    await city.admin.press(card, text("btn-block-citizen"))
    ask = await city.admin.wait_for(lambda m: code in m.content and "alasan" in m.content,
                                    chat=city.admin_group)
    await city.admin2.send_text("bukan saya", chat=city.admin_group, reply_to=ask)
    await city.admin2.wait_for(lambda m: m.content == text("ask-not-you"),
                               chat=city.admin_group)
    await city.admin.send_text("Laporan palsu berulang", chat=city.admin_group, reply_to=ask)
    done = await city.admin.wait_for(lambda m: "Laporan palsu berulang" in m.content
                                     and text("btn-unblock-citizen") in m.buttons,
                                     chat=city.admin_group)

    await bot.restart()  # the block is in the database, not in one process's memory
    await citizen.send_text("/lapor")
    await expect(citizen, text("blocked-notice"))
    await citizen.send_text("Ini nomor saya 081298765432, tolong")
    await citizen.send_photo()
    await asyncio.sleep(1.0)
    assert citizen.drain() == []  # told once, then silence
    payloads = await handled_inbox(settings, citizen.id)
    assert all(p == {} for p in payloads)
    assert await rows(settings, "select state from fsm_states where key like :k and "
                      "state is not null", k=f"%{citizen.id}%") == []
    [(blocked_at, reason)] = await rows(
        settings, "select blocked_at, blocked_reason from citizens where telegram_id = :id",
        id=citizen.id)
    assert blocked_at is not None and reason == "Laporan palsu berulang"
    assert len(await rows(settings, "select id from reports")) == 1

    await city.admin.press(done, text("btn-unblock-citizen"))
    await city.admin.wait_for(lambda m: m.content == text("unblock-done", code=code),
                              chat=city.admin_group)
    await begin_report(citizen)


async def test_a_stranger_cannot_block(sim: BotApiSimulator, bot: RunningBot, city: City,
                                       settings: Settings) -> None:
    citizen, code = await citizen_files(sim, "Budi", photos=1)
    card = await admin_card(city, code)
    query = await city.pupr.press(card, text("btn-block-citizen"))
    answer = await city.pupr.callback_answer(query)
    assert answer["show_alert"]
    assert await rows(settings, "select blocked_at from citizens where telegram_id = :id",
                      id=citizen.id) == [(None,)]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_flood_is_slowed_in_the_database_across_a_restart(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    settings.flood_messages = 3
    settings.flood_window_seconds = 600
    user = sim.user("Cepat")
    for _ in range(3):
        await user.send_text("/help")
        await expect(user, "/lapor")
    await user.send_text("/help")
    await expect(user, text("flood-notice"))
    await user.send_text("/help")
    await bot.restart()
    await user.send_text("/help")
    await asyncio.sleep(1.0)
    assert user.drain() == []
    assert await rows(settings, "select flood_count from citizens where telegram_id = :id",
                      id=user.id) == [(6,)]


async def test_daily_limit_holds_across_a_restart(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    settings.daily_report_limit = 1
    citizen, _ = await citizen_files(sim, "Budi", photos=1)
    await bot.restart()
    await citizen.send_text("/lapor")
    await expect(citizen, text("daily-limit", max=1))
    settings.daily_report_limit = 2
    await begin_report(citizen)


async def test_a_new_consent_text_is_agreed_to_before_filing(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    citizen = sim.user("Budi")
    await register(citizen, name="Budi")
    assert await rows(settings, "select consent_version from citizens where telegram_id = :id",
                      id=citizen.id) == [(settings.consent_version,)]
    settings.consent_version = "3"
    await citizen.send_text("/lapor")
    ask = await citizen.wait_for(lambda m: text("btn-agree") in m.buttons
                                 and "/hapus_data" in m.content)
    await citizen.press(ask, text("btn-decline"))
    await citizen.wait_for(lambda m: m.content == text("reconsent-declined"))
    await citizen.send_text("/lapor")
    again = await citizen.wait_for(lambda m: text("btn-agree") in m.buttons
                                   and m.message_id != ask.message_id)
    await citizen.press(again, text("btn-agree"))
    await citizen.wait_for(lambda m: m.content == text("reconsent-done"))
    await citizen.wait_for(lambda m: m.content == text("intake-start"))
    [(version, at)] = await rows(settings, "select consent_version, consent_at from citizens "
                                 "where telegram_id = :id", id=citizen.id)
    assert version == "3" and at is not None


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "KameraMerek"
    exif[0x8825] = {1: "N", 2: (3.0, 18.0, 0.0), 3: "E", 4: (117.0, 38.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


async def test_pictures_sent_as_files_reach_groups_without_their_gps(
        sim: BotApiSimulator, bot: RunningBot, city: City) -> None:
    citizen = sim.user("Budi")
    await register(citizen, name="Budi")
    await begin_report(citizen)
    original = await citizen.send_document(content=_jpeg_with_gps())
    await expect(citizen, text("intake-photos-received", count=1, max=5))
    await citizen.send_location(3.3, 117.633)
    await expect(citizen, text("intake-landmark"))
    await citizen.send_text(text("btn-skip"))
    await expect(citizen, text("intake-description"))
    await citizen.send_text(DESCRIPTION)
    await citizen.press(await expect(citizen, text("intake-category")), "Jalan dan jembatan")
    code = await submit(citizen, await expect(citizen, fragment("intake-review")))
    await admin_card(city, code)
    [sent] = [m for m in city.admin_group.bot_messages() if m.document is not None]
    assert sent.document["file_id"] != original.document["file_id"]
    clean = sim.files.by_id[sent.document["file_id"]].data
    assert b"KameraMerek" not in clean
    with Image.open(io.BytesIO(clean)) as image:
        assert image.size == (64, 48) and not image.getexif().get_ifd(0x8825)


class Collected(logging.Handler):
    """Every formatted log line, as the operator's terminal would show it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def test_debug_logs_hold_ids_and_codes_but_no_personal_data(
        sim: BotApiSimulator, bot: RunningBot, city: City) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    collected = Collected()
    install_logging(collected, "DEBUG", sim.token)
    try:
        name, description = "Wulandari Kusumawati", "Gorong-gorong tersumbat rahasiaXYZ sejak lama"
        citizen = sim.user(name)
        await register(citizen, name=name, phone="6281377776666")
        code = await submit(citizen, await file_until_review(citizen, description=description))
        await forward(city, await admin_card(city, code), "PUPR")
        await citizen.send_text("/data_saya")
        await citizen.wait_for(lambda m: m.document is not None)
        await citizen.send_text("Halo, nama saya Wulandari Kusumawati")
        await asyncio.sleep(0.5)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        for logger_name, level in levels.items():
            logging.getLogger(logger_name).setLevel(level)
    logged = "\n".join(collected.lines)
    assert str(citizen.id) in logged  # ids are logged, at DEBUG
    for secret in ("Wulandari", "Kusumawati", "6281377776666", "81377776666", "rahasiaXYZ",
                   sim.token):
        assert secret not in logged, f"{secret!r} reached the logs"


async def test_a_refused_contact_is_not_kept_in_the_inbox(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    """A contact of someone else, refused at registration, is not kept in the inbox."""
    citizen: SimUser = sim.user("Budi")
    await citizen.send_text("/start")
    await expect(citizen, text("welcome"))
    consent = await expect(citizen, text("reg-consent"))
    await citizen.press(consent, text("btn-agree"))
    await expect(citizen, text("reg-ask-name"))
    await citizen.send_text("Budi")
    await expect(citizen, text("reg-ask-phone"))
    await citizen.send_contact("6285511112222", user_id=citizen.id + 1)
    await expect(citizen, text("error-contact-not-own"))
    payloads = await handled_inbox(settings, citizen.id)
    assert "6285511112222" not in json.dumps(payloads)


async def test_the_retention_job_anonymises_old_finished_reports_when_enabled(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    citizen, old = await citizen_files(sim, "Budi", photos=1)
    recent = await submit(citizen, await file_until_review(citizen))
    engine = create_engine(settings.database_url)
    try:  # the first report was withdrawn two years ago; the second is still waiting
        async with engine.begin() as connection:
            await connection.execute(sql(
                "update reports set status = 'withdrawn', updated_at = :at where code = :code"),
                {"at": "2024-11-01 00:00:00.000000", "code": old})
    finally:
        await engine.dispose()
    await bot.restart()
    await asyncio.sleep(0.5)
    assert await rows(settings, "select anonymised_at from reports where anonymised_at "
                      "is not null") == []  # off by default
    settings.retention_days = 365
    await bot.restart()
    for _ in range(50):
        found = await rows(settings, "select code, citizen_id, description from reports "
                           "where anonymised_at is not null")
        if found:
            break
        await asyncio.sleep(0.1)
    assert found == [(old, 0, "")]
    [(citizen_id,)] = await rows(settings, "select citizen_id from reports where code = :c",
                                 c=recent)
    assert citizen_id == citizen.id


async def test_a_blocked_citizen_keeps_access_and_erasure_but_not_a_way_round_the_block(
        sim: BotApiSimulator, bot: RunningBot, settings: Settings) -> None:
    from complaints import privacy

    citizen, code = await citizen_files(sim, "Budi", photos=1)
    assert bot.app is not None
    await privacy.set_blocked(bot.app.context.uow(), citizen.id, blocked=True,
                              reason="spam", now=bot.app.context.clock())
    citizen.drain()
    await citizen.send_text("/data_saya")
    await citizen.wait_for(lambda m: m.document is not None)
    await citizen.send_text("/hapus_data")
    confirm = await citizen.wait_for(lambda m: text("btn-erase-yes") in m.buttons)
    await citizen.press(confirm, text("btn-erase-yes"))
    await citizen.wait_for(lambda m: m.content.startswith("Data Anda telah dihapus."))
    [row] = await rows(settings, "select name, phone, consent_at, blocked_at, blocked_reason "
                       "from citizens where telegram_id = :id", id=citizen.id)
    assert row[:3] == (None, None, None) and row[3] is not None and row[4] == "spam"
    assert await rows(settings, "select citizen_id from reports where code = :c", c=code) == [
        (0,)]
    citizen.drain()
    await citizen.send_text("/start")
    await asyncio.sleep(1.0)
    assert all(m.content != text("welcome") for m in citizen.drain())
