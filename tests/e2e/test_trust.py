"""Anonymous and confidential reports, duplicates and hostile texts, as every chat sees them."""

from __future__ import annotations

import pytest

from configuration.settings import Settings
from simulator import BotApiSimulator, SimMessage, SimUser
from tests.e2e.flows import DESCRIPTION, REVIEW_BUTTONS, file_until_review, register
from tests.e2e.staff import (
    City,
    admin_card,
    agency_card,
    citizen_files,
    expect,
    forward,
    in_group,
    open_menu,
    start_work,
)
from tests.e2e.storage import scalar
from tests.texts import fragment, text

NAME, PHONE = "Budi Santoso", "+6281234567890"


async def toggle(user: SimUser, review: SimMessage, off: str, on: str) -> SimMessage:
    """Press a privacy flag on the review; the same message now says it is on."""
    query = await user.press(review, text(off))
    answer = await user.callback_answer(query)
    assert answer["show_alert"] is True
    return await user.wait_for(lambda m: m.message_id == review.message_id and text(on) in
                               m.buttons)


async def flagged_report(sim: BotApiSimulator, *flags: str, name: str = NAME) -> tuple[SimUser,
                                                                                         str]:
    """A registered citizen files a report with the named flags ("anonymous", "confidential")."""
    citizen = sim.user(name)
    await register(citizen, name=name)
    review = await file_until_review(citizen)
    for flag in flags:
        review = await toggle(citizen, review, f"btn-{flag}-off", f"btn-{flag}-on")
    await citizen.press(review, text("btn-send"))
    done = await expect(citizen, fragment("intake-submitted"))
    for flag in flags:
        assert text(f"intake-submitted-{flag}") in done.content
    code = next(word for word in done.content.split() if word.startswith("LPR-"))
    return citizen, code


def hides_reporter(message: SimMessage) -> None:
    """Neither the name nor the phone number, but the word that it is anonymous."""
    assert NAME not in message.content and "6281234567890" not in message.content, \
        message.content
    assert text("card-reporter-anonymous") in message.content, message.content


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_anonymous_report_flow(sim: BotApiSimulator, city: City,
                                     settings: Settings) -> None:
    citizen, code = await flagged_report(sim, "anonymous")
    assert await scalar(settings, "select anonymous from reports where code = :c", c=code)

    card = await admin_card(city, code)
    hides_reporter(card)
    assert card.buttons == [text("btn-verify-forward"), text("btn-return"),
                            text("btn-block-citizen"), text("btn-show-identity")]
    # a coordinator may not open it, and nothing is logged for the attempt
    refused = await city.coordinator.press(card, text("btn-show-identity"))
    assert (await city.coordinator.callback_answer(refused))["text"] == text("error-not-allowed")
    # an admin sees the reporter alone, in an alert; the group's card stays as it was
    shown = await city.admin.press(card, text("btn-show-identity"))
    answer = await city.admin.callback_answer(shown)
    assert answer["show_alert"] and NAME in answer["text"] and PHONE in answer["text"]
    assert await scalar(settings, "select actor_id from report_events where action = "
                        "'show_identity'") == city.admin.id
    assert await scalar(settings, "select count(*) from report_events where action = "
                        "'show_identity'") == 1

    await forward(city, card, "PUPR")
    refreshed = await city.admin.wait_for(lambda m: m.message_id == card.message_id
                                          and text("status-forwarded") in m.content,
                                          chat=city.admin_group)
    hides_reporter(refreshed)
    # still behind the button; moving it to another agency stays possible
    assert refreshed.buttons == [text("btn-reassign"), text("btn-show-identity")]
    opd_card = await agency_card(city.pupr, city.pupr_group, code)
    hides_reporter(opd_card)
    assert text("btn-show-identity") not in opd_card.buttons
    line = await in_group(city.coordinator, city.coordinator_group, code)
    assert NAME not in line.content and "628" not in line.content
    await expect(citizen, "diteruskan ke", code, wait=10)

    await start_work(city, code)
    working = await city.pupr.wait_for(lambda m: m.message_id == opd_card.message_id
                                       and text("status-in_progress") in m.content,
                                       chat=city.pupr_group)
    hides_reporter(working)
    await citizen.send_text(f"/status {code}")
    status = await citizen.wait_for(lambda m: text("status-anonymous") in m.content
                                    and fragment("status-detail") in m.content)
    assert code in status.content and "show_identity" not in status.content


async def test_confidential_report_flow(sim: BotApiSimulator, city: City,
                                        settings: Settings) -> None:
    citizen, code = await flagged_report(sim, "confidential")
    assert await scalar(settings, "select confidential from reports where code = :c", c=code)
    card = await admin_card(city, code)
    assert text("card-confidential") in card.content and NAME in card.content  # admins see all
    await forward(city, card, "PUPR")
    opd_card = await agency_card(city.pupr, city.pupr_group, code)
    assert text("card-confidential") in opd_card.content and DESCRIPTION in opd_card.content
    # the coordinator learns only that a confidential report moved: no category, no agency
    line = await in_group(city.coordinator, city.coordinator_group, code)
    assert line.content == text("coordinator-confidential", code=code,
                                status=text("status-forwarded"))
    # …and never sees it listed or shown
    await city.coordinator.send_text("/antrian", chat=city.coordinator_group)
    queue = await city.coordinator.wait_for(lambda m: "Antrian (0)" in m.content,
                                            chat=city.coordinator_group, timeout=10)
    assert code not in queue.content
    # another citizen reporting the same hole is not offered the confidential report
    neighbour = sim.user("Sari")
    await register(neighbour, name="Sari")
    review = await file_until_review(neighbour)
    assert review.buttons == REVIEW_BUTTONS
    assert not [m for m in neighbour.messages() if code in m.content]
    await citizen.send_text(f"/status {code}")
    status = await citizen.wait_for(lambda m: text("status-confidential") in m.content
                                    and fragment("status-detail") in m.content)
    assert code in status.content


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_duplicates_offered_and_joined(sim: BotApiSimulator, city: City,
                                             settings: Settings) -> None:
    first, code = await citizen_files(sim, "Budi", photos=1)
    card = await admin_card(city, code)
    neighbour = sim.user("Sari")
    await register(neighbour, name="Sari")
    offer = await _offer(neighbour)
    assert code in offer.content and "± 30 m" in offer.content
    assert "Jalan berlubang" in offer.content
    assert "Budi" not in offer.content  # no reporter in a public view
    assert offer.buttons == [text("btn-duplicate-join", code=code), text("btn-duplicate-none")]
    await neighbour.press(offer, text("btn-duplicate-join", code=code))
    await expect(neighbour, text("duplicate-joined", code=code))
    assert await scalar(settings, "select count(*) from reports") == 1
    assert await scalar(settings, "select citizen_id from report_subscriptions") == neighbour.id
    await city.admin.wait_for(lambda m: m.message_id == card.message_id
                              and text("card-me-too", count=1) in m.content,
                              chat=city.admin_group)

    # the joiner hears the original's later notices, without the reporter's buttons
    await forward(city, card, "PUPR")
    await expect(first, "diteruskan ke", code, wait=10)
    news = await expect(neighbour, text("subscriber-prefix", code=code), "diteruskan ke",
                        wait=10)
    assert news.buttons == []
    await start_work(city, code)
    await expect(first, "sedang dikerjakan", code, wait=10)
    await expect(neighbour, text("subscriber-prefix", code=code), "sedang dikerjakan", wait=10)


async def _offer(user: SimUser) -> SimMessage:
    """From /lapor to the category: the next message is "is it one of these?"."""
    await user.send_text("/lapor")
    await expect(user, text("intake-start"))
    await expect(user, fragment("intake-photos"))
    await user.send_photo()
    await expect(user, fragment("intake-location"))
    await user.send_location(3.3000 + 30 / 111_320, 117.6330)  # 30 m north
    await expect(user, text("intake-landmark"))
    await user.send_text(text("btn-skip"))
    await expect(user, text("intake-description"))
    await user.send_text("Lubang besar di jalan depan pasar, hampir menjatuhkan motor saya.")
    categories = await expect(user, text("intake-category"))
    await user.press(categories, "Jalan dan jembatan")
    return await expect(user, fragment("duplicates-offer"))


async def test_mark_as_duplicate_on_return(sim: BotApiSimulator, city: City,
                                           settings: Settings) -> None:
    first, original = await citizen_files(sim, "Budi", photos=1)
    first_card = await admin_card(city, original)
    second, copy = await citizen_files(sim, "Sari", photos=1)  # "no, mine is new"
    card = await admin_card(city, copy)
    duplicate = text("btn-return-duplicate")
    menu = await open_menu(city.admin, city.admin_group, card, text("btn-return"), duplicate)
    await city.admin.press(menu, duplicate)
    ask = await city.admin.wait_for(lambda m: fragment("ask-duplicate") in m.content,
                                    chat=city.admin_group, timeout=10)
    assert ask.force_reply and original in ask.content  # the report nearby is named
    await city.admin.send_text(copy, chat=city.admin_group, reply_to=ask)
    await city.admin.wait_for(lambda m: text("error-duplicate-self") in m.content,
                              chat=city.admin_group)
    await city.admin.send_text(original.lower(), chat=city.admin_group, reply_to=ask)
    await city.admin.wait_for(lambda m: text("done-duplicate", code=copy, original=original)
                              in m.content, chat=city.admin_group)
    returned = await expect(second, fragment("citizen-returned"),
                            text("citizen-duplicate-follow", code=original), wait=10)
    assert text("btn-fix-resend") not in returned.buttons
    assert await scalar(settings, "select r.code from reports r join reports d on "
                        "d.duplicate_of = r.id where d.code = :c", c=copy) == original
    await city.admin.wait_for(lambda m: m.message_id == first_card.message_id
                              and text("card-me-too", count=1) in m.content,
                              chat=city.admin_group)
    await forward(city, first_card, "PUPR")
    await expect(first, "diteruskan ke", original, wait=10)
    await expect(second, text("subscriber-prefix", code=original), "diteruskan ke", wait=10)


INVISIBLE = ("\x00\x07\x1b\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202d\u202e\u202c\u200e"
             "\u200f\u2066\u2069")
MARKUP = ("<b>tebal</b> & <i>miring <a href=\"x\">tautan</a> &amp; *bintang* _garis_ "
          "[l](http://x) `kode`")
HOSTILE = (f"{MARKUP}\x00\x07\u200b jalan\u200d rusak \u202eparah\u202c di depan\u200f pasar "
           "\u2066Gusher\u2069, sudah \ufeffdua minggu.")
SEEN = f"{MARKUP} jalan rusak parah di depan pasar Gusher, sudah dua minggu."


def clean(message: SimMessage) -> None:
    """No control, zero-width or bidi character reached the chat, and every text rendered."""
    assert not set(message.content) & set(INVISIBLE), repr(message.content)
    assert "{???}" not in message.content, message.content


async def _describe(user: SimUser, landmark: str, descriptions: list[str]) -> SimMessage:
    """/lapor to the review, trying the descriptions in turn (all but the last are refused)."""
    await user.send_text("/lapor")
    await expect(user, text("intake-start"))
    await expect(user, fragment("intake-photos"))
    await user.send_photo()
    await expect(user, fragment("intake-location"))
    await user.send_location(3.3000, 117.6330)
    await expect(user, text("intake-landmark"))
    await user.send_text(landmark)
    await expect(user, text("intake-description"))
    for refused, key in zip(descriptions[:-1], ("error-description-long",
                                                 "error-description-no-words"), strict=False):
        await user.send_text(refused)
        clean(await expect(user, fragment(key)))
    await user.send_text(descriptions[-1])
    categories = await expect(user, text("intake-category"))
    await user.press(categories, "Jalan dan jembatan")
    return await user.wait_for(lambda m: text("btn-send") in m.buttons, timeout=10)


async def _send(user: SimUser, review: SimMessage) -> str:
    """Send from the review (maybe a photo and a text message): the tracking code."""
    await user.press(review, text("btn-send"))
    done = await user.wait_for(lambda m: fragment("intake-submitted") in m.content)
    return next(word for word in done.content.split() if word.startswith("LPR-"))


async def test_hostile_texts_render_safely_in_every_card(sim: BotApiSimulator, city: City,
                                                         settings: Settings) -> None:
    citizen = sim.user("Budi")
    await register(citizen, name="Budi")
    review = await _describe(citizen, "<Pasar> & \u202eHalte\u200b lama",
                             ["jalan rusak " * 834, "🙂" * 30, HOSTILE])
    assert SEEN in review.content and "<Pasar> & Halte lama" in review.content
    clean(review)
    code = await _send(citizen, review)
    assert await scalar(settings, "select description from reports where code = :c",
                        c=code) == SEEN

    card = await admin_card(city, code)
    assert SEEN in card.content and "<Pasar> & Halte lama" in card.content
    clean(card)
    await forward(city, card, "PUPR")
    opd_card = await agency_card(city.pupr, city.pupr_group, code)
    assert SEEN in opd_card.content
    clean(opd_card)
    clean(await in_group(city.coordinator, city.coordinator_group, code))
    await citizen.send_text(f"/status {code}")
    status = await citizen.wait_for(lambda m: fragment("status-detail") in m.content)
    assert SEEN in status.content
    clean(status)

    # staff's words are cleaned too: the agency sends it back with a hostile reason
    await city.pupr.press(opd_card, text("btn-not-ours"))
    ask = await city.pupr.wait_for(lambda m: m.force_reply and "Putu PUPR" in m.content,
                                   chat=city.pupr_group)
    await city.pupr.send_text("<script>alert(1)</script> \u202ebukan\u202c & *kami*\u200b",
                              chat=city.pupr_group, reply_to=ask)
    sent_back = await city.admin.wait_for(
        lambda m: "<script>alert(1)</script> bukan & *kami*" in m.content
        and text("btn-verify-forward") in m.buttons, chat=city.admin_group, timeout=10)
    clean(sent_back)


async def test_the_longest_description_full_of_markup_fits_every_card(
        sim: BotApiSimulator, city: City) -> None:
    citizen = sim.user("Budi")
    await register(citizen, name="Budi")
    longest = ("<b>&amp;" * 248 + " jalan rusak parah di depan pasar")[:2000]
    review = await _describe(citizen, "<" * 200, [longest])
    code = await _send(citizen, review)
    card = await admin_card(city, code)
    clean(review)
    assert longest[:1400] in card.content and "…" in card.content  # shortened, never cut in two
    clean(card)
    await forward(city, card, "PUPR")
    opd_card = await agency_card(city.pupr, city.pupr_group, code)
    assert longest[:1400] in opd_card.content
    clean(opd_card)
    await citizen.send_text(f"/status {code}")
    clean(await citizen.wait_for(lambda m: fragment("status-detail") in m.content))
