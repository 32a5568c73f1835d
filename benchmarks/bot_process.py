"""One bot under test in its own process, polling a simulator until SIGTERM (used by intake.py).

    python benchmarks/bot_process.py real|minimal --api-url URL --database URL [--cpu N]

The token comes from the BENCH_BOT_TOKEN environment variable (kept off the command line).
`real` is the LAPOR! Tarakan application exactly as `lapor-bot` runs it; `minimal` is a tiny
aiogram bot that walks a citizen through the same steps with the same keyboards, in-memory FSM
and one INSERT per complaint, as the baseline the real bot is compared with.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sys
from datetime import UTC, datetime
from functools import partial
from typing import Any

import aiosqlite
from aiogram import Bot, Dispatcher, F, Router, methods
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.methods.base import Response, TelegramMethod
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

TOKEN_ENV = "BENCH_BOT_TOKEN"
CATEGORIES = [
    ("roads", "Jalan dan jembatan"), ("drainage", "Drainase dan banjir"), ("waste", "Sampah"),
    ("lighting", "Penerangan jalan"), ("water", "Air bersih"), ("health", "Kesehatan"),
    ("education", "Pendidikan"), ("order", "Ketertiban umum"),
    ("population", "Administrasi kependudukan"), ("transport", "Perhubungan"),
    ("disaster", "Bencana"), ("other", "Lainnya"),
]
CATEGORY_NAMES = dict(CATEGORIES)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
SKIP = "Lewati ➡️"
SCHEMA = """CREATE TABLE IF NOT EXISTS complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE, telegram_id INTEGER NOT NULL,
    name TEXT NOT NULL, phone TEXT NOT NULL, photo_file_id TEXT NOT NULL, latitude REAL NOT NULL,
    longitude REAL NOT NULL, landmark TEXT, description TEXT NOT NULL, category TEXT NOT NULL,
    created_at TEXT NOT NULL)"""
INSERT = """INSERT INTO complaints (code, telegram_id, name, phone, photo_file_id, latitude,
    longitude, landmark, description, category, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)"""


# ---------------------------------------------------------------- the minimal baseline bot


class Reg(StatesGroup):
    """Registration steps."""

    consent = State()
    name = State()
    phone = State()
    confirm = State()


class Report(StatesGroup):
    """Complaint steps."""

    photo = State()
    location = State()
    landmark = State()
    description = State()
    category = State()
    review = State()


def _inline(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Inline keyboard from (text, callback_data) rows."""
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
        for row in rows])


def _reply(text: str, **button: Any) -> ReplyKeyboardMarkup:
    """A one-button reply keyboard."""
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=text, **button)]],
                               resize_keyboard=True, one_time_keyboard=True)


MAIN_MENU = ReplyKeyboardMarkup(keyboard=[
    [KeyboardButton(text="📝 Buat laporan")],
    [KeyboardButton(text="📋 Laporan saya"), KeyboardButton(text="👤 Profil")],
    [KeyboardButton(text="❓ Bantuan")]], resize_keyboard=True, is_persistent=True)
CATEGORY_KEYBOARD = _inline(*[
    [(name, f"ct1:{key}") for key, name in CATEGORIES[i:i + 2]]
    for i in range(0, len(CATEGORIES), 2)])
REVIEW_KEYBOARD = _inline([("📨 Kirim laporan", "in1:sd")], [("🙈 Kirim anonim", "fl1:a")],
                          [("🔒 Rahasiakan laporan", "fl1:c")],
                          [("✏️ Ubah", "in1:ed"), ("❌ Batal", "in1:cn")])


def tracking_code() -> str:
    """A random LPR-XXXX-XXXX code like the real bot's."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"LPR-{body[:4]}-{body[4:]}"


def minimal_router(db: aiosqlite.Connection) -> Router:
    """Every step of registration and one complaint, one short answer each."""
    router = Router(name="minimal")

    @router.message(CommandStart())
    async def start(message: Message, state: FSMContext) -> None:
        """Welcome, then ask for consent."""
        await message.answer("Selamat datang di <b>LAPOR! Kota Tarakan</b>.",
                             reply_markup=ReplyKeyboardRemove())
        await state.set_state(Reg.consent)
        await message.answer("<b>Persetujuan data pribadi.</b> Setuju?", reply_markup=_inline(
            [("✅ Setuju", "rg1:ag"), ("❌ Tidak setuju", "rg1:dc")]))

    @router.callback_query(Reg.consent, F.data == "rg1:ag")
    async def consent(query: CallbackQuery, state: FSMContext) -> None:
        """Consent given: ask the name."""
        await query.message.edit_reply_markup(reply_markup=None)
        await state.set_state(Reg.name)
        await query.message.answer("Siapa nama lengkap Anda?", reply_markup=ReplyKeyboardRemove())

    @router.message(Reg.name, F.text)
    async def name(message: Message, state: FSMContext) -> None:
        """Name stored: ask the phone."""
        await state.update_data(name=message.text.strip())
        await state.set_state(Reg.phone)
        await message.answer("Bagikan nomor telepon Anda dengan tombol di bawah.",
                             reply_markup=_reply("📱 Bagikan nomor telepon", request_contact=True))

    @router.message(Reg.phone, F.contact)
    async def phone(message: Message, state: FSMContext) -> None:
        """Phone stored: confirm."""
        number = message.contact.phone_number
        data = await state.update_data(phone=number if number.startswith("+") else f"+{number}")
        await state.set_state(Reg.confirm)
        await message.answer("Nomor telepon diterima.", reply_markup=ReplyKeyboardRemove())
        await message.answer(f"Nama: {data['name']}\nTelepon: {data['phone']}\nSudah benar?",
                             reply_markup=_inline([("✅ Benar", "rg1:ok"), ("✏️ Ubah", "rg1:ed")]))

    @router.callback_query(Reg.confirm, F.data == "rg1:ok")
    async def confirmed(query: CallbackQuery, state: FSMContext) -> None:
        """Registered (kept in memory)."""
        data = await state.get_data()
        await query.message.edit_reply_markup(reply_markup=None)
        await state.set_state(None)
        await query.message.answer(f"Terima kasih, {data['name']}! Pendaftaran selesai.",
                                   reply_markup=MAIN_MENU)

    @router.message(Command("lapor"))
    async def new_report(message: Message, state: FSMContext) -> None:
        """Start a complaint at the photo step."""
        await state.set_state(Report.photo)
        await message.answer("Mari buat laporan baru.", reply_markup=ReplyKeyboardRemove())
        await message.answer("<b>Langkah 1 dari 5 — Foto.</b> Kirim foto kejadian.",
                             reply_markup=ReplyKeyboardRemove())

    @router.message(Report.photo, F.photo)
    async def photo(message: Message, state: FSMContext) -> None:
        """Photo stored: ask the location."""
        await state.update_data(photo=message.photo[-1].file_id)
        await state.set_state(Report.location)
        await message.answer("📷 Foto diterima (1/5).\n\n<b>Langkah 2 dari 5 — Lokasi.</b>",
                             reply_markup=_reply("📍 Kirim lokasi saya", request_location=True))

    @router.message(Report.location, F.location)
    async def location(message: Message, state: FSMContext) -> None:
        """Location stored: ask a landmark."""
        await state.update_data(location=(message.location.latitude,
                                          message.location.longitude))
        await state.set_state(Report.landmark)
        await message.answer("Lokasi diterima ✅. Patokan (opsional)?", reply_markup=_reply(SKIP))

    @router.message(Report.landmark, F.text)
    async def landmark(message: Message, state: FSMContext) -> None:
        """Landmark (or Skip) stored: ask the description."""
        await state.update_data(landmark=None if message.text == SKIP else message.text)
        await state.set_state(Report.description)
        await message.answer("<b>Langkah 3 dari 5 — Keterangan.</b>",
                             reply_markup=ReplyKeyboardRemove())

    @router.message(Report.description, F.text)
    async def description(message: Message, state: FSMContext) -> None:
        """Description stored: ask the category."""
        await state.update_data(description=message.text.strip())
        await state.set_state(Report.category)
        await message.answer("<b>Langkah 4 dari 5 — Kategori.</b>",
                             reply_markup=CATEGORY_KEYBOARD)

    @router.callback_query(Report.category, F.data.startswith("ct1:"))
    async def category(query: CallbackQuery, state: FSMContext) -> None:
        """Category stored: show the review on the photo."""
        key = query.data.removeprefix("ct1:")
        await query.message.edit_text(f"Kategori: <b>{CATEGORY_NAMES[key]}</b>")
        data = await state.update_data(category=key)
        await state.set_state(Report.review)
        await query.message.answer_photo(
            data["photo"], reply_markup=REVIEW_KEYBOARD,
            caption=f"<b>Langkah 5 dari 5 — Periksa.</b>\n{data['description']}")

    @router.callback_query(Report.review, F.data == "in1:sd")
    async def send(query: CallbackQuery, state: FSMContext) -> None:
        """One INSERT, then the tracking code."""
        data = await state.get_data()
        code = tracking_code()
        latitude, longitude = data["location"]
        await db.execute(INSERT, (
            code, query.from_user.id, data["name"], data["phone"], data["photo"], latitude,
            longitude, data.get("landmark"), data["description"], data["category"],
            datetime.now(UTC).isoformat()))
        await db.commit()
        await state.set_data({"name": data["name"], "phone": data["phone"]})
        await state.set_state(None)
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(f"✅ Laporan terkirim. Kode: <b>{code}</b>",
                                   reply_markup=MAIN_MENU)

    return router


def _sqlite_path(database_url: str) -> str:
    """The file of a sqlite+<driver>:///path URL (or a bare path)."""
    return database_url.split(":///", 1)[1] if ":///" in database_url else database_url


def keep_response_models() -> list[Any]:
    """Strong references to aiogram's Response[T] models for every Bot API return type.

    aiogram parametrises Response[...] on every call and pydantic caches parametrised models
    only weakly: after a garbage collection the next call rebuilds the schema (milliseconds).
    Whether that happens depends on GC timing, which made the baseline's figures swing by a
    third between identical runs; holding the models keeps the baseline steady and at its best.
    """
    returning = {getattr(method, "__returning__", None) for method in vars(methods).values()
                 if isinstance(method, type) and issubclass(method, TelegramMethod)
                 and method is not TelegramMethod}
    return [Response[r] for r in returning if r is not None]  # type: ignore[valid-type]


async def run_minimal(api_url: str, token: str, database_url: str, poll_timeout: int) -> None:
    """The baseline: aiogram's own polling with handle_as_tasks, stops on SIGTERM."""
    async with aiosqlite.connect(_sqlite_path(database_url)) as db:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL"):
            await db.execute(f"PRAGMA {pragma}")
        await db.execute(SCHEMA)
        await db.commit()
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")))
        bot = Bot(token, session=session,
                  default=DefaultBotProperties(parse_mode=ParseMode.HTML,
                                               link_preview_is_disabled=True))
        dispatcher = Dispatcher(storage=MemoryStorage())
        dispatcher.callback_query.middleware(CallbackAnswerMiddleware())
        dispatcher.include_router(minimal_router(db))
        await dispatcher.start_polling(bot, polling_timeout=poll_timeout, handle_as_tasks=True,
                                       handle_signals=True, close_bot_session=True)


# ---------------------------------------------------------------- the real bot


async def run_real(api_url: str, token: str, database_url: str, poll_timeout: int) -> None:
    """The real application, as `lapor-bot` runs it (migrations, inbox polling, SIGTERM)."""
    from bot.app import application, run_application
    from configuration.settings import load_settings

    settings = load_settings(bot_api_url=api_url, bot_token=token, database_url=database_url,
                             redis_url=None, geocoder_url=None, log_level="WARNING")
    async with application(settings, token, poll_timeout=poll_timeout) as app:
        await run_application(app, install_signals=True)


def main() -> None:
    """Parse the arguments, pin to a CPU if asked, run one bot until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("real", "minimal"))
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL (minimal: SQLite)")
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU")
    parser.add_argument("--poll-timeout", type=int, default=1)
    parser.add_argument("--profile", metavar="FILE", default=None,
                        help="write cProfile statistics of the whole run to FILE (pstats format)")
    parser.add_argument("--plain", action="store_true",
                        help="minimal: do not keep aiogram's Response[...] models alive")
    args = parser.parse_args()
    token = os.environ.get(TOKEN_ENV)
    if not token:
        sys.exit(f"{TOKEN_ENV} is not set")
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    from bot.logging_setup import setup_logging

    setup_logging("WARNING", token)
    logging.getLogger("aiogram").setLevel(logging.WARNING)
    kept = keep_response_models() if args.kind == "minimal" and not args.plain else []
    runner = run_real if args.kind == "real" else run_minimal
    run = partial(asyncio.run, runner(args.api_url, token, args.database, args.poll_timeout))
    if args.profile:
        import cProfile

        with cProfile.Profile() as profile:
            run()
        profile.dump_stats(args.profile)
    else:
        run()
    del kept


if __name__ == "__main__":
    main()
