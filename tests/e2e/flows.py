"""Step helpers for end-to-end tests: what a citizen does, and what they must see."""

from __future__ import annotations

import re

from complaints.validation import MAX_PHOTOS
from simulator import SimMessage, SimUser
from tests.texts import fragment, text

CODE_RE = re.compile(r"LPR-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}")
IN_TARAKAN = (3.3000, 117.6330)  # Jl. Yos Sudarso area, Tarakan
JAKARTA = (-6.2000, 106.8166)
REVIEW_BUTTONS = [text("btn-send"), text("btn-anonymous-off"), text("btn-confidential-off"),
                  text("btn-edit"), text("btn-cancel")]
DESCRIPTION = "Jalan berlubang besar di depan pasar, sudah dua minggu dan membahayakan motor."


async def expect(user: SimUser, *fragments: str, wait: float = 5.0) -> SimMessage:
    """The bot's next message to this user contains every fragment."""
    message = await user.next_message(timeout=wait)
    for part in fragments:
        assert part in message.content, (
            f"expected {part!r} in the bot's message:\n{message.content}")
    return message


async def register(user: SimUser, name: str = "Budi Santoso",
                   phone: str = "6281234567890") -> None:
    """Consent, name, shared contact, confirm."""
    await answer_registration(user, await open_registration(user), name, phone)


async def open_registration(user: SimUser) -> SimMessage:
    """/start: the welcome, then the consent prompt (returned, to press on)."""
    await user.send_text("/start")
    await expect(user, text("welcome"))
    return await expect(user, text("reg-consent"))


async def answer_registration(user: SimUser, consent: SimMessage, name: str,
                              phone: str) -> None:
    """From the consent prompt: agree, type the name, share the contact, confirm."""
    await user.press(consent, text("btn-agree"))
    await expect(user, text("reg-ask-name"))
    await user.send_text(name)
    await expect(user, text("reg-ask-phone"))
    await user.send_contact(phone)
    await expect(user, text("reg-phone-ok"))
    confirm = await expect(user, fragment("reg-confirm"), name)
    await user.press(confirm, text("btn-confirm"))
    await expect(user, text("reg-done", name=name))


async def begin_report(user: SimUser) -> SimMessage:
    """/lapor: the wizard introduces itself and asks for photos."""
    await user.send_text("/lapor")
    await expect(user, text("intake-start"))
    return await expect(user, text("intake-photos", max=MAX_PHOTOS))


async def start_with_photo(user: SimUser) -> None:
    """/lapor and one photo: the wizard now asks for the location."""
    await begin_report(user)
    await user.send_photo()
    await expect(user, text("intake-photos-received", count=1, max=MAX_PHOTOS))


async def send_pin(user: SimUser) -> None:
    """A location pin in Tarakan: accepted, and the landmark is asked for."""
    await user.send_location(*IN_TARAKAN)
    await expect(user, text("intake-landmark"))


async def file_until_review(user: SimUser, *, photos: int = 1,
                            description: str = DESCRIPTION) -> SimMessage:
    """From /lapor to the review summary, answering every step correctly."""
    await begin_report(user)
    if photos == 1:
        await user.send_photo()
    else:
        await user.send_album(photos)
    progress = await expect(user, text("intake-photos-received", count=1, max=MAX_PHOTOS),
                            text("intake-location"))
    if photos > 1:
        counted = text("intake-photos-received", count=photos, max=MAX_PHOTOS)
        await user.wait_for(lambda m: m.message_id == progress.message_id
                            and counted in m.content)
    await send_pin(user)
    await user.send_text(text("btn-skip"))
    await expect(user, text("intake-description"))
    await user.send_text(description)
    categories = await expect(user, text("intake-category"))
    await user.press(categories, "Jalan dan jembatan")
    review = await user.next_message(timeout=5)
    if fragment("duplicates-offer") in review.content:  # others reported it nearby: ours is new
        await user.press(review, text("btn-duplicate-none"))
        review = await expect(user, fragment("intake-review"))
    assert fragment("intake-review") in review.content, review.content
    assert review.buttons == REVIEW_BUTTONS
    return review


async def edit_field(user: SimUser, review: SimMessage, field_button: str) -> None:
    """On the review, press Edit, then the field to change (the review turns into a menu)."""
    await user.press(review, text("btn-edit"))
    fields = await user.wait_for(lambda m: m.message_id == review.message_id
                                 and field_button in m.buttons)
    await user.press(fields, field_button)


async def submit(user: SimUser, review: SimMessage) -> str:
    """Press Send on the review; returns the tracking code the citizen got."""
    await user.press(review, text("btn-send"))
    done = await expect(user, fragment("intake-submitted"))
    match = CODE_RE.search(done.content)
    assert match, done.content
    return match.group(0)
