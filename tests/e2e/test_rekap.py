"""/rekap through the real bot: staff get the period's figures and a chart; citizens do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from complaints.model import PhotoRef
from simulator import BotApiSimulator
from tests.conftest import RunningBot
from tests.e2e.staff import City
from tests.stats_data import at, build_november
from tests.texts import text

OUTPUT = Path(__file__).resolve().parents[1] / "output"


def real_photo(sim: BotApiSimulator) -> PhotoRef:
    """A photo the simulator knows, as if a citizen had sent it."""
    largest = sim.files.store_photo()[-1]
    return PhotoRef(largest["file_id"], largest["file_unique_id"])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_admin_gets_november_in_numbers_and_a_chart(sim: BotApiSimulator,
                                                          bot: RunningBot, city: City) -> None:
    assert bot.app is not None
    await build_november(bot.app.context.uow, real_photo(sim), sim.user("Budi").id)
    bot.app.context.clock = lambda: at(20, 10)  # "this month" is November 2026
    await city.admin.send_text("/rekap bulan ini")
    summary = await city.admin.next_message(timeout=20)
    lines = summary.content.splitlines()
    assert "Rekap pengaduan 2026-11" in lines[0]
    assert "Laporan masuk: 4" in lines
    assert any(line.startswith("Status: Menunggu verifikasi 2,") and "Selesai 1" in line
               and "Dikembalikan ke pelapor 1" in line for line in lines)
    assert any(line.startswith("Dinas: tanpa dinas 3, PUPR 1") for line in lines)
    assert "• Verifikasi admin: 24 jam / 7 hari, tepat waktu 2/3 (standar 3 hari kerja)" in lines
    assert "• Dinas mulai: 24 jam / 7 hari, tepat waktu 1/2 (standar 3 hari kerja)" in lines
    assert "• Tindak lanjut dinas: 7 hari / 21 hari, tepat waktu 1/2 (standar 10 hari kerja)" \
        in lines
    assert "• Dokumentasi: 3 mnt / 2 jam, tepat waktu 1/2 (standar 5 menit)" in lines
    assert "Tepat waktu per dinas: Admin 60%, DLH 0%, PUPR 100%" in lines
    assert "Rata-rata penilaian: 3,5 ★ dari 2 penilaian" in lines
    assert "Dibuka kembali oleh pelapor: 1" in lines
    chart = await city.admin.next_message(timeout=20)
    assert chart.photo_file_ids and "2026-11" in chart.content
    png = sim.files.by_id[chart.photo_file_ids[-1]].data
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "rekap-chart.png").write_bytes(png)
    with Image.open(OUTPUT / "rekap-chart.png") as image:
        assert image.size == (1080, 1440)


async def test_an_agency_sees_its_own_and_a_citizen_is_refused(sim: BotApiSimulator,
                                                               bot: RunningBot,
                                                               city: City) -> None:
    assert bot.app is not None
    await build_november(bot.app.context.uow, real_photo(sim), sim.user("Budi").id)
    city.pupr.language_code = "en"
    await city.pupr.send_text("/rekap 2026-11-01..2026-11-30")
    summary = await city.pupr.next_message(timeout=20)
    lines = summary.content.splitlines()
    assert "Complaints summary 2026-11" in lines[0]
    assert "Reports received: 1" in lines
    assert "• Admin verification: none finished yet" in lines
    assert "• Agency follow-up: 7 days / 7 days, on time 1/1 (standard 10 working days)" in lines
    assert "On time by agency: PUPR 100%" in lines
    assert (await city.pupr.next_message(timeout=20)).photo_file_ids
    await city.stranger.send_text("/rekap")
    assert (await city.stranger.next_message()).content == text("rekap-refused")
    await city.admin.send_text("/rekap kemarin dulu")
    assert (await city.admin.next_message()).content.startswith("Periode tidak dikenali")


async def test_in_groups_the_senders_role_decides_and_unbound_groups_stay_silent(
        sim: BotApiSimulator, bot: RunningBot, city: City) -> None:
    assert bot.app is not None
    await build_november(bot.app.context.uow, real_photo(sim), sim.user("Budi").id)
    # the PUPR officer asks in the admin group: the chat gives no authority, their role does
    await city.pupr.send_text("/rekap 2026-11", chat=city.admin_group)
    summary = await city.pupr.wait_for(lambda m: "Rekap pengaduan 2026-11" in m.content,
                                       chat=city.admin_group, timeout=20)
    assert "Laporan masuk: 1" in summary.content.splitlines()
    await city.pupr.wait_for(lambda m: bool(m.photo_file_ids) and "2026-11" in m.content,
                             chat=city.admin_group, timeout=20)
    await city.coordinator.send_text("/rekap@lapor_tarakan_bot 2026-11",
                                     chat=city.coordinator_group)
    whole = await city.coordinator.wait_for(lambda m: "Rekap pengaduan" in m.content,
                                            chat=city.coordinator_group, timeout=20)
    assert "Laporan masuk: 4" in whole.content.splitlines()
    stray = sim.group("Grup lain", members=[city.admin])
    await city.admin.send_text("/rekap", chat=stray)
    bot.app.context.clock = lambda: at(20, 10)  # "this month" is November 2026
    await city.admin.send_text("/rekap", chat=city.admin_group)  # answered: the first was not
    await city.admin.wait_for(lambda m: "Rekap pengaduan 2026-11" in m.content
                              and "Laporan masuk: 4" in m.content, chat=city.admin_group,
                              timeout=20)
    assert city.admin.bot_messages(stray) == []
