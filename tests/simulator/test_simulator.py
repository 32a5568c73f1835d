"""The Bot API simulator must behave like Telegram for a real aiogram Bot over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from simulator import BotApiSimulator, SimMessage
from simulator.files import TINY_JPEG

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


class FastSession(AiohttpSession):
    """AiohttpSession without the 250 ms grace sleep on close, to keep tests fast."""

    async def close(self) -> None:
        """Close the client session immediately."""
        if self._session is not None and not self._session.closed:
            await self._session.close()


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    """A running simulator per test."""
    async with BotApiSimulator() as simulator:
        yield simulator


@pytest.fixture
async def bot(sim: BotApiSimulator) -> AsyncIterator[Bot]:
    """A real aiogram Bot pointed at the simulator."""
    session = FastSession(api=TelegramAPIServer.from_base(sim.base_url))
    client = Bot(sim.token, session=session)
    yield client
    await session.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A raw HTTP client for checks below aiogram's level."""
    async with aiohttp.ClientSession() as session:
        yield session


async def raw_call(
    http: aiohttp.ClientSession,
    sim: BotApiSimulator,
    method: str,
    *,
    json: dict[str, Any] | None = None,
    data: Any = None,
    token: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """POST one Bot API call and return (status, JSON body)."""
    url = f"{sim.base_url}/bot{token or sim.token}/{method}"
    async with http.post(url, json=json, data=data) as response:
        return response.status, await response.json()


def inline(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    """One row of callback buttons."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in buttons]]
    )


# ---------------------------------------------------------------------------- routing basics


async def test_get_me_token_and_unknown_method(
    sim: BotApiSimulator, bot: Bot, http: aiohttp.ClientSession
) -> None:
    """getMe works for the real token only; method names are case-insensitive."""
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (sim.bot_id, "lapor_tarakan_bot", True)
    assert sim.token.startswith(f"{sim.bot_id}:") and len(sim.token.split(":")[1]) == 35

    status, body = await raw_call(http, sim, "getMe", token=f"{sim.bot_id}:wrong")
    assert (status, body) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    status, body = await raw_call(http, sim, "sendTelepathy", json={"chat_id": 1})
    assert (status, body["description"]) == (404, "Not Found")
    status, body = await raw_call(http, sim, "GETME")
    assert status == 200 and body["result"]["id"] == sim.bot_id
    async with http.get(f"{sim.base_url}/bot{sim.token}/getme") as response:
        assert response.status == 200
    assert [(c.method, c.status) for c in sim.calls_to("getMe")] == [
        ("getMe", 200),
        ("getMe", 401),
        ("getMe", 200),
        ("getMe", 200),
    ]


async def test_json_urlencoded_and_multipart_bodies(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """Parameters are read from a JSON body, a urlencoded form or multipart."""
    budi = sim.user("Budi")
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    status, body = await raw_call(
        http, sim, "sendMessage", json={"chat_id": budi.id, "text": "json", "reply_markup": markup}
    )
    assert status == 200 and body["result"]["reply_markup"] == markup
    status, _ = await raw_call(
        http, sim, "sendMessage", data={"chat_id": str(budi.id), "text": "form"}
    )
    assert status == 200
    form = aiohttp.FormData()
    form.add_field("chat_id", str(budi.id))
    form.add_field("photo", TINY_JPEG, filename="x.jpg")
    status, body = await raw_call(http, sim, "sendPhoto", data=form)
    assert status == 200 and len(body["result"]["photo"]) == 3
    assert [m.content for m in budi.bot_messages()] == ["json", "form", ""]
    assert sim.calls_to("sendMessage")[0].params["reply_markup"] == markup
    assert sim.calls_to("sendPhoto")[0].files["photo"].data == TINY_JPEG


# ---------------------------------------------------------------------------- getUpdates


async def test_get_updates_offsets_limit_and_negative_offset(
    sim: BotApiSimulator, http: aiohttp.ClientSession
) -> None:
    """offset confirms lower ids, limit caps the batch, negative offset keeps the tail."""
    budi = sim.user("Budi")
    for text in ("satu", "dua", "tiga", "empat"):
        await budi.send_text(text)
    assert sim.pending_updates() == 4

    _, body = await raw_call(http, sim, "getUpdates", json={"limit": 2})
    first = body["result"]
    assert [u["message"]["text"] for u in first] == ["satu", "dua"]
    ids = [u["update_id"] for u in first]
    assert ids[1] == ids[0] + 1
    assert sim.pending_updates() == 4  # nothing confirmed without an offset

    _, body = await raw_call(http, sim, "getUpdates", json={"offset": ids[1]})
    assert [u["message"]["text"] for u in body["result"]] == ["dua", "tiga", "empat"]
    assert sim.pending_updates() == 3

    _, body = await raw_call(http, sim, "getUpdates", json={"offset": -1})
    assert [u["message"]["text"] for u in body["result"]] == ["empat"]
    last = body["result"][0]["update_id"]
    _, body = await raw_call(http, sim, "getUpdates", json={"offset": last + 1})
    assert body["result"] == [] and sim.pending_updates() == 0


async def test_long_poll_wakes_on_new_update_and_times_out_empty(
    sim: BotApiSimulator, bot: Bot
) -> None:
    """A waiting getUpdates returns as soon as an update is queued, else [] after timeout."""
    budi = sim.user("Budi")
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 2.0

    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    started = time.monotonic()
    await budi.send_text("halo")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 0.5
    assert [u.message.text for u in updates if u.message] == ["halo"]


async def test_allowed_updates_filter(sim: BotApiSimulator, bot: Bot) -> None:
    """Update types outside allowed_updates are not delivered."""
    budi = sim.user("Budi")
    sent = await bot.send_message(budi.id, "Pilih", reply_markup=inline(("Ya", "y")))
    await budi.send_text("teks")
    message = budi.bot_messages()[0]
    assert message.message_id == sent.message_id
    await budi.press(message, "Ya")
    updates = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert [u.event_type for u in updates] == ["callback_query"]
    await budi.send_text("lagi")  # created while only callback queries are allowed
    updates = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    assert updates == []
    updates = await bot.get_updates(timeout=0, allowed_updates=[])  # [] means default set
    await budi.send_text("sekarang")
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["sekarang"]


async def test_user_updates_parse_as_aiogram_types(sim: BotApiSimulator, bot: Bot) -> None:
    """Every kind of user message is real Telegram JSON aiogram can parse."""
    budi = sim.user("Budi", last_name="Santoso", username="budi_s")
    cmd = await budi.send_text("/lapor@lapor_tarakan_bot sekarang")
    await budi.send_photo(caption="jalan berlubang", reply_to=cmd)
    album = await budi.send_album(3, caption="tiga foto")
    await budi.send_document(file_name="bukti.pdf", mime_type="application/pdf")
    await budi.send_location(3.3, 117.6, live_period=900)
    await budi.send_venue(3.3, 117.6, "Pasar Gusher", "Jl. Gajah Mada")
    await budi.send_contact("+628123456789")
    await budi.send_contact("+628111", first_name="Ani", user_id=None)
    await budi.send_sticker()
    await budi.send_voice()
    await budi.send_video()
    await budi.edit_text(cmd, "/lapor ralat")
    updates = await bot.get_updates(timeout=0)
    messages = [u.message for u in updates if u.message]
    assert len(messages) == 13
    command = messages[0]
    assert command.entities and command.entities[0].type == "bot_command"
    assert command.entities[0].length == len("/lapor@lapor_tarakan_bot")
    assert command.from_user is not None and command.from_user.username == "budi_s"
    photo = messages[1]
    assert photo.photo and len(photo.photo) == 3 and photo.caption == "jalan berlubang"
    assert photo.reply_to_message and photo.reply_to_message.message_id == cmd.message_id
    group_ids = {m.media_group_id for m in messages[2:5]}
    assert group_ids == {album[0].media_group_id} and None not in group_ids
    assert [m.caption for m in messages[2:5]] == ["tiga foto", None, None]
    assert messages[5].document and messages[5].document.file_name == "bukti.pdf"
    assert messages[6].location and messages[6].location.live_period == 900
    assert messages[7].venue and messages[7].venue.title == "Pasar Gusher" and messages[7].location
    assert messages[8].contact and messages[8].contact.user_id == budi.id
    assert messages[9].contact and messages[9].contact.user_id is None
    assert messages[10].sticker and messages[11].voice and messages[12].video
    edited = updates[-1].edited_message
    assert edited is not None and edited.text == "/lapor ralat" and edited.edit_date
    assert [m.content_type for m in messages[:2]] == ["text", "photo"]


# ---------------------------------------------------------------------------- sending & validation


async def test_send_message_validation_like_telegram(sim: BotApiSimulator, bot: Bot) -> None:
    """Length, empty text, HTML well-formedness, callback_data size and chat existence."""
    budi = sim.user("Budi")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"text": "x" * 4097}, "message is too long"),
        ({"text": "   "}, "message text is empty"),
        ({"text": "<b>tebal", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "nilai < 5", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "Tom & Jerry", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "<script>x</script>", "parse_mode": "HTML"}, "Unsupported start tag"),
        ({"text": "<b>x</i>", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "1.5", "parse_mode": "MarkdownV2"}, "reserved"),
        ({"text": "ok", "reply_markup": inline(("A", "x" * 65))}, "BUTTON_DATA_INVALID"),
    ]
    for kwargs, expected in cases:
        with pytest.raises(TelegramBadRequest) as error:
            await bot.send_message(budi.id, **kwargs)
        assert expected in error.value.message, kwargs
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "halo")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(budi.id, BufferedInputFile(TINY_JPEG, "a.jpg"), caption="c" * 1025)
    assert budi.bot_messages() == []
    assert all(call.status == 400 for call in sim.calls)

    ok = await bot.send_message(
        budi.id,
        "<b>Laporan</b> &lt;#12&gt; dari <i>Budi &amp; Ani</i> "
        '<a href="https://lapor.go.id">link</a> <tg-spoiler>rahasia</tg-spoiler>',
        parse_mode="HTML",
        reply_markup=inline(("Lihat 🔍", "v" * 64)),
    )
    assert ok.text == "Laporan <#12> dari Budi & Ani link rahasia"
    assert ok.entities is not None
    assert [e.type for e in ok.entities] == ["bold", "italic", "text_link", "spoiler"]
    stored = budi.bot_messages()[-1]
    assert stored.text is not None and stored.text.startswith("<b>Laporan</b> &lt;#12&gt;")
    assert stored.plain_text == ok.text and stored.parse_mode == "HTML"
    assert stored.button_data("Lihat") == "v" * 64
    with pytest.raises(AssertionError, match="Lihat"):
        stored.button_data("Hapus")
    md = await bot.send_message(budi.id, "*Nomor* 12\\.5", parse_mode="MarkdownV2")
    assert md.text == "Nomor 12.5" and md.entities and md.entities[0].type == "bold"
    at_max = await bot.send_message(budi.id, "y" * 4096)
    assert at_max.text is not None and len(at_max.text) == 4096


async def test_reply_keyboards_force_reply_and_remove(sim: BotApiSimulator, bot: Bot) -> None:
    """Reply keyboards, force_reply and remove_keyboard are recorded on the message."""
    budi = sim.user("Budi")
    keyboard = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text="📍 Kirim lokasi", request_location=True)],
            [
                KeyboardButton(text="📞 Kirim nomor", request_contact=True),
                KeyboardButton(text="Batal"),
            ],
        ],
        resize_keyboard=True,
    )
    sent = await bot.send_message(budi.id, "Bagikan lokasi", reply_markup=keyboard)
    assert sent.reply_markup is None  # Telegram returns only inline keyboards in Message
    ask = budi.bot_messages()[-1]
    assert ask.keyboard == ["📍 Kirim lokasi", "📞 Kirim nomor", "Batal"]
    assert ask.keyboard_buttons[0]["request_location"] is True
    assert ask.keyboard_buttons[1]["request_contact"] is True
    assert budi.active_keyboard() == ask.keyboard and not ask.force_reply

    await bot.send_message(budi.id, "Tulis alasan", reply_markup=ForceReply(selective=True))
    forced = budi.bot_messages()[-1]
    assert forced.force_reply and forced.reply_markup == {"force_reply": True, "selective": True}
    await bot.send_message(budi.id, "Selesai", reply_markup=ReplyKeyboardRemove())
    assert budi.bot_messages()[-1].removes_keyboard and budi.active_keyboard() == []


async def test_uploads_media_group_and_file_download(sim: BotApiSimulator, bot: Bot) -> None:
    """Multipart uploads get new file_ids, albums share a media_group_id, files download."""
    budi = sim.user("Budi")
    photo_msg = await budi.send_photo(caption="bukti")
    user_file_id = photo_msg.photo_file_ids[-1]
    info = await bot.get_file(user_file_id)
    assert info.file_size == len(TINY_JPEG) and info.file_path
    downloaded = await bot.download(user_file_id)
    assert downloaded is not None and downloaded.read() == TINY_JPEG

    sent = await bot.send_photo(budi.id, BufferedInputFile(PNG, "peta.png"), caption="Peta")
    assert sent.photo and len(sent.photo) == 3 and sent.caption == "Peta"
    new_id = sent.photo[-1].file_id
    assert new_id not in photo_msg.photo_file_ids
    assert (await bot.download(new_id)).read() == PNG  # type: ignore[union-attr]
    doc = await bot.send_document(budi.id, BufferedInputFile(b"%PDF-1.4 x", "laporan.pdf"))
    assert doc.document and doc.document.file_name == "laporan.pdf"
    assert doc.document.mime_type == "application/pdf"

    album = await bot.send_media_group(
        budi.id,
        [
            InputMediaPhoto(media=user_file_id, caption="<b>Foto</b> warga", parse_mode="HTML"),
            InputMediaPhoto(media=BufferedInputFile(TINY_JPEG, "b.jpg")),
            InputMediaPhoto(media=new_id),
        ],
    )
    assert len(album) == 3
    assert len({m.media_group_id for m in album}) == 1 and album[0].media_group_id
    assert album[0].caption == "Foto warga" and album[1].caption is None
    assert album[0].photo and album[0].photo[-1].file_id == user_file_id
    assert [m.media_group_id for m in budi.bot_messages()[-3:]] == [album[0].media_group_id] * 3
    upload_call = sim.calls_to("sendMediaGroup")[-1]
    assert len(upload_call.files) == 1 and upload_call.params["media"][1]["media"].startswith(
        "attach://"
    )

    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(budi.id, "AgACAgUAAxkBAAIbogus")
    with pytest.raises(TelegramBadRequest, match="type of file mismatch"):
        await bot.send_photo(budi.id, doc.document.file_id)
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(budi.id, BufferedInputFile(b"not an image", "x.jpg"))
    with pytest.raises(TelegramBadRequest, match="too many messages"):
        await bot.send_media_group(budi.id, [InputMediaPhoto(media=new_id)] * 11)
    with pytest.raises(TelegramBadRequest, match="can't be mixed"):
        await bot.send_media_group(
            budi.id, [InputMediaPhoto(media=new_id), InputMediaDocument(media=doc.document.file_id)]
        )
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")
    assert len(budi.bot_messages()) == 5


async def test_location_venue_copy_forward_and_chat_info(sim: BotApiSimulator, bot: Bot) -> None:
    """Location, venue, copy/forward, chat action and chat/member queries answer correctly."""
    budi = sim.user("Budi")
    staff = sim.user("Sari")
    group = sim.group("Petugas PUPR", members=[budi], admins=[staff])
    loc = await bot.send_location(budi.id, latitude=3.3, longitude=117.58)
    assert loc.location and loc.location.latitude == pytest.approx(3.3)
    venue = await bot.send_venue(budi.id, 3.3, 117.58, title="Kantor", address="Jl. Mulawarman")
    assert venue.venue and venue.venue.address == "Jl. Mulawarman" and venue.location
    assert await bot.send_chat_action(budi.id, "typing") is True
    with pytest.raises(TelegramBadRequest, match="action"):
        await bot.send_chat_action(budi.id, "dancing")

    photo = await budi.send_photo(caption="lubang")
    copied = await bot.copy_message(group.id, budi.id, photo.message_id, caption="Laporan #1")
    forwarded = await bot.forward_message(group.id, budi.id, photo.message_id)
    in_group = group.bot_messages()
    assert in_group[0].message_id == copied.message_id and in_group[0].content == "Laporan #1"
    assert in_group[0].photo_file_ids == photo.photo_file_ids
    assert forwarded.forward_origin is not None and forwarded.caption == "lubang"
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(group.id, budi.id, 999)

    chat = await bot.get_chat(group.id)
    assert (chat.type, chat.title) == ("group", "Petugas PUPR")
    assert (await bot.get_chat(budi.id)).first_name == "Budi"
    assert (await bot.get_chat_member(group.id, staff.id)).status == "administrator"
    assert (await bot.get_chat_member(group.id, budi.id)).status == "member"
    assert (await bot.get_chat_member(group.id, sim.user("Orang").id)).status == "left"
    assert (await bot.get_chat_member(group.id, sim.bot_id)).status == "member"

    await bot.set_my_commands([BotCommand(command="lapor", description="Buat laporan")])
    assert [c.command for c in await bot.get_my_commands()] == ["lapor"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Lapor!", description="x")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == []
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert (await bot.get_webhook_info()).pending_update_count == 0

    assert await bot.leave_chat(group.id) is True
    with pytest.raises(TelegramForbiddenError, match="not a member"):
        await bot.send_message(group.id, "halo")


# ---------------------------------------------------------------------------- edits & callbacks


async def test_edits_delete_and_waiting_helpers_see_them(sim: BotApiSimulator, bot: Bot) -> None:
    """Bot edits modify the stored message in place, wake waiters, and follow Telegram rules."""
    budi = sim.user("Budi")
    sent = await bot.send_message(budi.id, "Memproses…", reply_markup=inline(("Batal", "c")))
    first = await budi.next_message()
    assert first.buttons == ["Batal"] and not first.edited

    async def later_edit() -> None:
        await asyncio.sleep(0.1)
        await bot.edit_message_text(
            "<b>Selesai</b>", chat_id=budi.id, message_id=sent.message_id, parse_mode="HTML"
        )

    task = asyncio.create_task(later_edit())
    done = await budi.wait_for(lambda m: m.content == "Selesai", timeout=2)
    await task
    assert done is first and first.edited and first.text == "<b>Selesai</b>"
    assert first.buttons == [] and "reply_markup" not in first.raw  # no markup -> removed

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<b>Selesai</b>", chat_id=budi.id, message_id=sent.message_id, parse_mode="HTML"
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=budi.id, message_id=4242)
    await bot.edit_message_reply_markup(
        chat_id=budi.id, message_id=sent.message_id, reply_markup=inline(("Ulang", "r"))
    )
    assert first.buttons == ["Ulang"]
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_reply_markup(
            chat_id=budi.id, message_id=sent.message_id, reply_markup=inline(("Ulang", "r"))
        )
    photo = await bot.send_photo(budi.id, BufferedInputFile(TINY_JPEG, "a.jpg"), caption="lama")
    await bot.edit_message_caption(chat_id=budi.id, message_id=photo.message_id, caption="baru")
    assert budi.bot_messages()[-1].content == "baru"
    with pytest.raises(TelegramBadRequest, match="no text in the message"):
        await bot.edit_message_text("x", chat_id=budi.id, message_id=photo.message_id)

    assert await bot.delete_message(budi.id, photo.message_id) is True
    assert [m.message_id for m in budi.bot_messages()] == [sent.message_id]
    assert len(budi.bot_messages(include_deleted=True)) == 2
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(budi.id, photo.message_id)
    assert (await budi.next_message()).deleted  # the cursor still reports what was sent


async def test_callback_query_press_and_answer(sim: BotApiSimulator, bot: Bot) -> None:
    """Pressing a button yields a full callback_query; answers are readable once."""
    budi = sim.user("Budi")
    await bot.send_message(budi.id, "Nilai layanan", reply_markup=inline(("⭐ 5", "rate:5")))
    message = await budi.next_message()
    query_id = await budi.press(message, "5")
    forged = await budi.press_data(message, "rate:999")
    updates = await bot.get_updates(timeout=0)
    queries = [u.callback_query for u in updates if u.callback_query]
    assert [q.data for q in queries] == ["rate:5", "rate:999"]
    assert queries[0].id == query_id and queries[0].chat_instance
    assert queries[0].message is not None and queries[0].message.text == "Nilai layanan"
    assert queries[0].from_user.id == budi.id

    answer_task = asyncio.create_task(budi.callback_answer(query_id, timeout=2))
    await asyncio.sleep(0.05)
    assert await bot.answer_callback_query(query_id, text="Terima kasih", show_alert=True)
    answer = await answer_task
    assert answer["text"] == "Terima kasih" and answer["show_alert"] is True
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("123")
    with pytest.raises(AssertionError, match="did not answer"):
        await budi.callback_answer(forged, timeout=0.1)


async def test_next_message_cursor_drain_and_timeout_transcript(
    sim: BotApiSimulator, bot: Bot
) -> None:
    """next_message walks bot messages once each, per user and chat; timeouts show context."""
    budi = sim.user("Budi")
    ani = sim.user("Ani")
    group = sim.group("Petugas", members=[budi, ani])
    await budi.send_text("/start")
    for text in ("satu", "dua", "tiga"):
        await bot.send_message(budi.id, text)
    await bot.send_message(group.id, "grup")
    assert (await budi.next_message()).content == "satu"
    assert (await budi.next_message()).content == "dua"
    assert [m.content for m in budi.drain()] == ["tiga"]
    assert (await budi.next_message(chat=group)).content == "grup"
    assert (await ani.next_message(chat=group)).content == "grup"  # separate cursor per user

    waiter = asyncio.create_task(budi.next_message(timeout=2))
    await asyncio.sleep(0.05)
    await bot.send_message(budi.id, "empat")
    assert (await waiter).content == "empat"
    with pytest.raises(AssertionError) as error:
        await budi.next_message(timeout=0.2)
    assert "Budi: /start" in str(error.value) and "Bot: empat" in str(error.value)
    existing = await budi.wait_for(lambda m: m.content == "dua", timeout=0.2)
    assert existing.content == "dua"
    with pytest.raises(AssertionError, match="matched"):
        await budi.wait_for(lambda m: m.content == "lima", timeout=0.2)


# ---------------------------------------------------------------------------- faults


async def test_faults_429_500_502_and_filters(sim: BotApiSimulator, bot: Bot) -> None:
    """Injected HTTP errors surface as aiogram's exceptions and are consumed in order."""
    budi = sim.user("Budi")
    ani = sim.user("Ani")
    sim.faults.inject("429", method="sendMessage", retry_after=7)
    sim.faults.inject("500", count=2)
    sim.faults.inject("502", chat_id=ani.id)
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(budi.id, "a")
    assert retry.value.retry_after == 7
    assert await bot.get_updates(timeout=0) == []  # method=None never hits getUpdates
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Internal Server Error"):
            await bot.send_message(budi.id, "b")
    await bot.send_message(budi.id, "c")  # the 502 is reserved for Ani's chat
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(ani.id, "d")
    await bot.send_message(ani.id, "e")
    assert [m.content for m in budi.bot_messages()] == ["c"]
    assert [m.content for m in ani.bot_messages()] == ["e"]
    statuses = [(c.status, c.fault) for c in sim.calls_to("sendMessage")]
    assert statuses == [
        (429, "429"),
        (500, "500"),
        (500, "500"),
        (200, None),
        (502, "502"),
        (200, None),
    ]
    assert sim.calls_to("sendMessage")[0].response["parameters"] == {"retry_after": 7}
    sim.faults.inject("500", count=5)
    sim.faults.clear()
    await bot.send_message(budi.id, "f")


async def test_faults_drop_slow_and_timeout(sim: BotApiSimulator, bot: Bot) -> None:
    """drop loses the call, slow delays it, timeout delivers but answers too late."""
    budi = sim.user("Budi")
    sim.faults.inject("drop", method="sendMessage")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(budi.id, "hilang")
    assert budi.bot_messages() == [] and sim.calls_to("sendMessage")[0].status == 0

    sim.faults.inject("slow", delay=0.4)
    started = time.monotonic()
    await bot.send_message(budi.id, "lambat")
    assert time.monotonic() - started >= 0.4

    sim.faults.inject("timeout", method="sendmessage", delay=1.5)
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot.send_message(budi.id, "terkirim", request_timeout=1)
    assert [m.content for m in budi.bot_messages()] == ["lambat", "terkirim"]
    assert [c.fault for c in sim.calls_to("sendMessage")] == ["drop", "slow", "timeout"]


# ---------------------------------------------------------------------------- blocked & migrated


async def test_blocked_user_gets_403_until_they_write_again(sim: BotApiSimulator, bot: Bot) -> None:
    """A blocked bot gets 403 and a my_chat_member update; writing to it unblocks."""
    budi = sim.user("Budi")
    budi.block_bot()
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(budi.id, "halo")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_photo(budi.id, BufferedInputFile(TINY_JPEG, "a.jpg"))
    updates = await bot.get_updates(timeout=0)
    member = updates[0].my_chat_member
    assert member is not None and member.new_chat_member.status == "kicked"
    await budi.send_text("/start")
    await bot.send_message(budi.id, "halo lagi")
    assert [m.content for m in budi.bot_messages()] == ["halo lagi"]


async def test_unblocking_without_writing_lets_the_bot_send_again(sim: BotApiSimulator,
                                                                  bot: Bot) -> None:
    """A user may unblock the bot from its profile without sending anything."""
    budi = sim.user("Budi")
    budi.block_bot()
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(budi.id, "halo")
    budi.unblock_bot()
    await bot.send_message(budi.id, "halo lagi")
    assert [m.content for m in sim.chat_messages(budi.id)] == ["halo lagi"]


async def test_group_migration_to_supergroup(sim: BotApiSimulator, bot: Bot) -> None:
    """Sends to the old id fail with migrate_to_chat_id; a service message announces it."""
    staff = sim.user("Sari")
    group = sim.group("Petugas DLH", members=[staff])
    old_id = group.id
    await bot.send_message(old_id, "sebelum")
    new_id = group.migrate_to_supergroup()
    assert str(new_id).startswith("-100") and group.id == new_id and group.type == "supergroup"
    with pytest.raises(TelegramMigrateToChat) as error:
        await bot.send_message(old_id, "ke id lama")
    assert error.value.migrate_to_chat_id == new_id
    await bot.send_message(new_id, "sesudah")
    assert [m.content for m in group.bot_messages()] == ["sesudah"]
    assert (await bot.get_chat(new_id)).type == "supergroup"
    updates = await bot.get_updates(timeout=0)
    service = [u.message for u in updates if u.message]
    assert service[0].migrate_to_chat_id == new_id and service[0].chat.id == old_id
    assert service[1].migrate_from_chat_id == old_id
    assert "[group upgraded to supergroup" in sim.transcript(old_id)


async def test_group_privacy_mode_and_transcript(sim: BotApiSimulator, bot: Bot) -> None:
    """In groups the bot only gets commands and replies to itself, like a real bot."""
    sari = sim.user("Sari")
    group = sim.group("Petugas", members=[sari])
    prompt = await bot.send_message(group.id, "Balas dengan tindak lanjut")
    chatter = await sari.send_text("rapat jam 9", chat=group)
    await sari.send_text("/status@other_bot", chat=group)
    await sari.send_text("/status", chat=group)
    await sari.send_text("sudah diperbaiki", chat=group, reply_to=group.bot_messages()[0])
    updates = await bot.get_updates(timeout=0)
    texts = [u.message.text for u in updates if u.message]
    assert texts == ["/status", "sudah diperbaiki"]
    assert updates[1].message and updates[1].message.reply_to_message
    assert updates[1].message.reply_to_message.message_id == prompt.message_id
    assert not chatter.delivered and chatter in group.messages()

    await bot.send_message(
        group.id, "Pilih", reply_markup=inline(("Terima", "ok"), ("Tolak", "no"))
    )
    transcript = sim.transcript(group.id)
    assert "Sari: rapat jam 9 (not delivered: privacy mode)" in transcript
    assert "Bot: Pilih\n    [buttons: Terima | Tolak]" in transcript


# ---------------------------------------------------------------------------- with a Dispatcher


async def test_real_dispatcher_polls_the_simulator(sim: BotApiSimulator, bot: Bot) -> None:
    """aiogram's own polling loop receives updates and its answers reach the simulated user."""
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            f"Halo {message.from_user.first_name if message.from_user else ''}",
            reply_markup=inline(("Lapor", "new")),
        )

    @dp.message(F.photo)
    async def photo(message: Message) -> None:
        await message.reply(f"Foto diterima ({len(message.photo or [])} ukuran)")

    @dp.callback_query(F.data == "new")
    async def new_report(query: CallbackQuery) -> None:
        await query.answer("Mulai")
        if isinstance(query.message, Message):
            await query.message.edit_text("Kirim foto masalahnya")

    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    try:
        budi = sim.user("Budi")
        await budi.send_text("/start")
        greeting = await budi.next_message(timeout=3)
        assert greeting.content == "Halo Budi" and greeting.buttons == ["Lapor"]
        query_id = await budi.press(greeting, "Lapor")
        assert (await budi.callback_answer(query_id, timeout=3))["text"] == "Mulai"
        await budi.wait_for(lambda m: m.content == "Kirim foto masalahnya", timeout=3)
        sent = await budi.send_photo()
        reply = await budi.next_message(timeout=3)
        assert reply.content == "Foto diterima (3 ukuran)"
        assert reply.reply_to_message_id == sent.message_id
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
    assert sim.pending_updates() <= 1  # the last offset is confirmed on the next poll
    assert isinstance(Update.model_validate({"update_id": 1}), Update)


def test_sim_message_helpers() -> None:
    """Button lookup prefers exact text, then substring; properties read the markup."""
    raw = {"message_id": 1, "chat": {"id": 5, "type": "private"}, "date": 0, "text": "t"}
    markup = {
        "inline_keyboard": [
            [
                {"text": "Tolak laporan", "callback_data": "a"},
                {"text": "Tolak", "callback_data": "b"},
            ],
            [{"text": "Situs", "url": "https://lapor.go.id"}],
        ]
    }
    message = SimMessage(raw, from_bot=True, reply_markup=markup)
    assert message.buttons == ["Tolak laporan", "Tolak", "Situs"]
    assert message.button_data("Tolak") == "b" and message.button_data("laporan") == "a"
    with pytest.raises(AssertionError, match="no callback_data"):
        message.button_data("Situs")
    assert message.keyboard == [] and not message.force_reply and message.content == "t"


async def test_bot_removed_from_a_group_and_added_back(sim: BotApiSimulator, bot: Bot) -> None:
    """A member removes the bot: 403 "kicked" and a my_chat_member; adding it back undoes it."""
    ani = sim.user("Ani")
    group = sim.group("OPD PUPR", members=[ani])
    sim.remove_bot_from(group, by=ani)
    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the group chat"):
        await bot.send_message(group.id, "halo")
    sim.add_bot_to(group, by=ani)
    await bot.send_message(group.id, "halo lagi")
    assert [m.content for m in group.bot_messages()] == ["halo lagi"]
    changes = [u.my_chat_member for u in await bot.get_updates(timeout=0)]
    assert [(c.old_chat_member.status, c.new_chat_member.status, c.from_user.id)
            for c in changes if c] == [("member", "left", ani.id), ("left", "member", ani.id)]


async def test_deleted_group_is_not_found(sim: BotApiSimulator, bot: Bot) -> None:
    """A deleted group answers 400 "chat not found" to everything, and no update says so."""
    group = sim.group("Lama", members=[sim.user("Ani")])
    sim.delete_chat(group)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(group.id, "halo")
    assert await bot.get_updates(timeout=0) == []
