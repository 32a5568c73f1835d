"""Issue 10 on the in-memory unit of work: anonymous and confidential reports, duplicates,
followers' notices, "show identity", and what texts may contain."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from complaints import admin, duplicates, identity, services, workflow
from complaints.errors import InvalidInput, NotAllowed, ReportNotFound, StaleReport
from complaints.lifecycle import Action
from complaints.model import (
    Actor,
    Audience,
    CardKind,
    ChatBinding,
    ChatPurpose,
    GeoPoint,
    NoticeKind,
    NoticeTarget,
    ReportStatus,
    Role,
)
from complaints.validation import clean_description, clean_landmark, clean_name, clean_text
from presentation.cards import card_buttons, chat_may_see, render_notice, staff_card
from presentation.context import Names
from presentation.texts import Translator
from tests.fakes import AGENCIES, CATEGORIES, FakeDatabase
from tests.workflow_steps import ADMIN, CALENDAR, CITIZEN_ID, DRAFT, NOW, PUPR, act, submit

NEIGHBOUR = 200
RADIUS, WINDOW = 100.0, timedelta(days=14)
T = Translator("id")
NAMES = Names({c.key: c for c in CATEGORIES}, {a.code: a for a in AGENCIES})
HOSTILE = ("<b>tebal</b> &amp; <a href='x'>tautan</a> *bintang* _miring_ [l](http://x) `kode` "
           "\x00\x07\x1b[31m \u200b\u200c\u200d\u2060\ufeff \u202etxet\u202c \u200f\u200e "
           "\u2066iso\u2069 jalan rusak parah sekali")


@pytest.fixture
async def db() -> FakeDatabase:
    """Staff, the reporting citizen and a neighbour who may report the same hole."""
    database = FakeDatabase()
    for actor in (ADMIN, PUPR):
        await admin.add_staff(database.uow(), actor.telegram_id, actor.name, actor.role,
                              actor.agency_code, NOW)
    await admin.add_staff(database.uow(), 4, "Kiki", Role.COORDINATOR, None, NOW)
    for telegram_id, name, language in ((CITIZEN_ID, "Budi", "id"), (NEIGHBOUR, "Sari", "en")):
        await services.register_citizen(database.uow(), telegram_id, name=name,
                                        phone="+6281234567890", language=language,
                                        consent_at=NOW, now=NOW)
    return database


# --- texts ------------------------------------------------------------------------------------

def test_clean_text_drops_control_zero_width_and_bidi_characters() -> None:
    cleaned = clean_text(HOSTILE)
    for invisible in "\x00\x07\x1b\u200b\u200c\u200d\u2060\ufeff\u202e\u202c\u200f\u200e\u2066":
        assert invisible not in cleaned
    assert "<b>tebal</b> &amp;" in cleaned  # markup stays text: the cards escape it
    assert clean_text("a\r\nb\u2028c\n\n\n\nd", multiline=True) == "a\nb\nc\n\nd"
    assert clean_text("a\r\nb\tc") == "a b c"


def test_a_description_must_say_something_in_words() -> None:
    for wordless in ("🙂" * 30, "!!!!!!!!!!!!!!!!!!!!!!!!", "12345678901234567890 1",
                     "aaaaaaaaaaaaaaaaaaaaaaaaa", "\u200b" * 5 + "🚧" * 20):
        with pytest.raises(InvalidInput) as refused:
            clean_description(wordless)
        assert refused.value.key == "error-description-no-words", wordless
    worded = "🚧🚧 Lampu jalan mati 3 malam 🚧"
    assert clean_description(worded) == worded
    with pytest.raises(InvalidInput) as long:
        clean_description("jalan rusak " * 1000)  # 12,000 characters
    assert long.value.key == "error-description-long"
    # invisible characters do not count towards the length, and are gone
    assert clean_description("Jalan rusak\u200b\u200b di depan pasar") == \
        "Jalan rusak di depan pasar"


def test_names_and_landmarks_lose_invisible_characters() -> None:
    assert clean_name("Budi\u200b Santoso\u202e") == "Budi Santoso"
    assert clean_landmark("Depan\x00 pasar\u200f") == "Depan pasar"


async def test_reasons_and_notes_are_cleaned_before_anyone_reads_them(db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    await act(db.uow, report_id, Action.RETURN, ADMIN, reason="Foto\u200b kurang\x07 jelas\u202e")
    case = await workflow.case_file(db.uow(), report_id)
    assert case.events[-1].note == "Foto kurang jelas"


# --- who sees what ----------------------------------------------------------------------------

async def _case(db: FakeDatabase, **flags: bool) -> int:
    return await submit(db.uow, replace(DRAFT, **flags))


async def test_flags_are_stored_and_survive_every_transition(db: FakeDatabase) -> None:
    report_id = await _case(db, anonymous=True, confidential=True)
    for action, actor, inputs in (
            (Action.FORWARD, ADMIN, {"agency": "PUPR"}), (Action.SEND_BACK, PUPR, {"reason": "x"}),
            (Action.RETURN, ADMIN, {"reason": "kurang"})):
        await act(db.uow, report_id, action, actor, **inputs)
        case = await workflow.case_file(db.uow(), report_id)
        assert (case.anonymous, case.confidential) == (True, True), action
    fixed = replace(DRAFT, description="Jalan berlubang besar, foto baru.", anonymous=True,
                    confidential=True)
    await act(db.uow, report_id, Action.RESUBMIT, Actor(CITIZEN_ID, Role.CITIZEN, "Budi"),
              draft=fixed)
    case = await workflow.case_file(db.uow(), report_id)
    assert (case.anonymous, case.confidential, case.revision) == (True, True, 2)


async def test_audiences(db: FakeDatabase) -> None:
    plain, anonymous, confidential = [
        await workflow.case_file(db.uow(), await _case(db, **flags))
        for flags in ({}, {"anonymous": True}, {"confidential": True})]
    assert plain.reporter_visible_to(Audience.ADMIN) and plain.phone_visible_to(Audience.ADMIN)
    assert plain.reporter_visible_to(Audience.AGENCY)
    assert not plain.phone_visible_to(Audience.AGENCY)
    assert not plain.reporter_visible_to(Audience.PUBLIC)
    for audience in Audience:
        assert not anonymous.reporter_visible_to(audience)
        assert not anonymous.phone_visible_to(audience)
    assert confidential.visible_to(Audience.ADMIN) and confidential.visible_to(Audience.AGENCY)
    assert not confidential.visible_to(Audience.COORDINATOR)
    assert not confidential.visible_to(Audience.PUBLIC)


async def test_cards_and_notices_hide_what_the_flags_hide(db: FakeDatabase) -> None:
    report_id = await _case(db, anonymous=True, confidential=True)
    await act(db.uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    case = await workflow.case_file(db.uow(), report_id)
    for kind in CardKind:
        card = staff_card(T, kind, case, NAMES)
        assert "Budi" not in card and "+628" not in card, kind
        assert T("card-reporter-anonymous") in card and "RAHASIA" in card
    admin_buttons = card_buttons(T, CardKind.ADMIN_CARD, case)
    assert admin_buttons is not None
    assert [b.text for row in admin_buttons.inline_keyboard for b in row] == [
        T("btn-reassign"), T("btn-show-identity")]
    agency_buttons = card_buttons(T, CardKind.AGENCY_CARD, case)
    assert agency_buttons is not None
    assert T("btn-show-identity") not in [b.text for r in agency_buttons.inline_keyboard
                                          for b in r]
    line, markup = render_notice(T, NoticeKind.COORDINATOR_FORWARDED, case, NAMES,
                                 {"agency": "PUPR"})
    assert line == T("coordinator-confidential", code=case.code,
                     status=T("status-forwarded")) and markup is None
    assert "Jalan" not in line and "PUPR" not in line


async def test_an_anonymous_citizen_is_not_named_by_their_own_actions(db: FakeDatabase) -> None:
    report_id = await _case(db, anonymous=True)
    await act(db.uow, report_id, Action.WITHDRAW, Actor(CITIZEN_ID, Role.CITIZEN, "Budi"))
    case = await workflow.case_file(db.uow(), report_id)
    card = staff_card(T, CardKind.ADMIN_CARD, case, NAMES)
    assert "Budi" not in card and T("anonymous-actor") in card


async def test_plain_reports_keep_showing_the_reporter(db: FakeDatabase) -> None:
    report_id = await _case(db)
    await act(db.uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    case = await workflow.case_file(db.uow(), report_id)
    assert "Budi, +6281234567890" in staff_card(T, CardKind.ADMIN_CARD, case, NAMES)
    agency = staff_card(T, CardKind.AGENCY_CARD, case, NAMES)
    assert "Budi" in agency and "+628" not in agency
    admin_buttons = card_buttons(T, CardKind.ADMIN_CARD, case)
    assert admin_buttons is not None  # no identity button to press
    assert [b.text for row in admin_buttons.inline_keyboard for b in row] == [
        T("btn-reassign")]
    line, _ = render_notice(T, NoticeKind.COORDINATOR_FORWARDED, case, NAMES, {})
    assert case.code in line and "Jalan dan jembatan" in line


async def test_show_identity_is_for_admins_and_is_logged(db: FakeDatabase) -> None:
    report_id = await _case(db, anonymous=True)
    shown = await identity.show_identity(db.uow(), report_id=report_id, actor=ADMIN, now=NOW)
    assert (shown.name, shown.phone) == ("Budi", "+6281234567890")
    case = await workflow.case_file(db.uow(), report_id)
    logged = case.events[-1]
    assert (logged.action, logged.actor_id, logged.to_status) == (
        "show_identity", ADMIN.telegram_id, ReportStatus.SUBMITTED)
    with pytest.raises(NotAllowed):
        await identity.show_identity(db.uow(), report_id=report_id, actor=PUPR, now=NOW)
    assert len((await workflow.case_file(db.uow(), report_id)).events) == 2
    # the card still says the submission happened last, not the showing
    assert "show_identity" not in staff_card(T, CardKind.ADMIN_CARD, case, NAMES)


async def test_confidential_reports_stay_out_of_the_coordinator_chat(db: FakeDatabase) -> None:
    case = await workflow.case_file(db.uow(), await _case(db, confidential=True))
    assert chat_may_see(ChatBinding(-1, ChatPurpose.ADMIN), case)
    assert not chat_may_see(ChatBinding(-2, ChatPurpose.COORDINATOR), case)
    assert not chat_may_see(ChatBinding(-3, ChatPurpose.OPD, "PUPR"), case)  # not assigned


# --- duplicates -------------------------------------------------------------------------------

def _near(metres_north: float) -> GeoPoint:
    return GeoPoint(DRAFT.location.latitude + metres_north / 111_320, DRAFT.location.longitude)


async def _similar(db: FakeDatabase, point: GeoPoint | None = None, category: str = "roads",
                   citizen: int = NEIGHBOUR, now: datetime = NOW) -> list[str]:
    found = await duplicates.similar_reports(
        db.uow(), citizen_id=citizen, category_key=category, point=point or _near(60),
        now=now, radius_m=RADIUS, window=WINDOW)
    return [s.report.code for s in found]


async def test_similar_reports_are_near_recent_open_same_category_and_not_confidential(
        db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    code = (await workflow.case_file(db.uow(), report_id)).code
    assert await _similar(db) == [code]
    assert await _similar(db, _near(140)) == []  # farther than 100 m
    assert await _similar(db, category="waste") == []
    assert await _similar(db, citizen=CITIZEN_ID) == []  # one's own report is not offered
    assert await _similar(db, now=NOW + timedelta(days=15)) == []
    await _case(db, confidential=True)
    assert await _similar(db) == [code]
    await act(db.uow, report_id, Action.RETURN, ADMIN, reason="kurang")
    assert await _similar(db) == []  # no longer open


async def test_joining_subscribes_and_followers_hear_every_citizen_notice(
        db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    assert await duplicates.join(db.uow(), citizen_id=NEIGHBOUR, report_id=report_id,
                                 now=NOW) == (await workflow.case_file(db.uow(), report_id)).code
    await duplicates.join(db.uow(), citizen_id=NEIGHBOUR, report_id=report_id, now=NOW)
    assert db.state.subscriptions == [(report_id, NEIGHBOUR)]  # "me too" counted once
    assert (await workflow.case_file(db.uow(), report_id)).me_too == 1
    db.state.outbox.clear()
    await act(db.uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    to_citizens = [n for n in db.state.outbox if n.target is NoticeTarget.CITIZEN]
    assert [(n.kind, n.target_ref, n.params.get("language")) for n in to_citizens] == [
        (NoticeKind.CITIZEN_FORWARDED, str(CITIZEN_ID), None),
        (NoticeKind.CITIZEN_FORWARDED, str(NEIGHBOUR), "en")]
    case = await workflow.case_file(db.uow(), report_id)
    text, markup = render_notice(Translator("en"), NoticeKind.CITIZEN_FORWARDED, case, NAMES,
                                 to_citizens[1].params)
    assert text.startswith(Translator("en")("subscriber-prefix", code=case.code))
    assert markup is None
    with pytest.raises(InvalidInput):
        await duplicates.join(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id, now=NOW)


async def test_confidential_reports_cannot_be_joined(db: FakeDatabase) -> None:
    report_id = await _case(db, confidential=True)
    with pytest.raises(ReportNotFound):
        await duplicates.join(db.uow(), citizen_id=NEIGHBOUR, report_id=report_id, now=NOW)
    assert db.state.subscriptions == []


async def test_returning_as_a_duplicate_subscribes_the_reporter_to_the_original(
        db: FakeDatabase) -> None:
    original_id = await submit(db.uow)
    original = await workflow.case_file(db.uow(), original_id)
    copy_id = (await services.submit_report(db.uow(), NEIGHBOUR, DRAFT, now=NOW,
                                            calendar=CALENDAR)).report_id
    copy = await workflow.case_file(db.uow(), copy_id)
    for wrong, key in ((copy.code, "error-duplicate-self"), ("LPR-2222-2222",
                                                             "error-duplicate-unknown"),
                       ("nonsense", "error-code-format")):
        with pytest.raises(InvalidInput) as refused:
            await duplicates.mark_duplicate(
                db.uow(), report_id=copy_id, original_code=wrong, actor=ADMIN,
                expected_version=copy.version, now=NOW, calendar=CALENDAR, reason="Ganda")
        assert refused.value.key == key
    result = await duplicates.mark_duplicate(
        db.uow(), report_id=copy_id, original_code=original.code.lower(), actor=ADMIN,
        expected_version=copy.version, now=NOW, calendar=CALENDAR, reason="Ganda")
    assert result.report.status is ReportStatus.RETURNED
    assert result.report.duplicate_of_code == original.code
    assert db.state.subscriptions == [(original_id, NEIGHBOUR)]
    returned = next(n for n in db.state.outbox if n.kind is NoticeKind.CITIZEN_RETURNED)
    assert returned.params["reason_key"] == "duplicate"
    text, _ = render_notice(T, NoticeKind.CITIZEN_RETURNED, result.report, NAMES,
                            returned.params)
    assert T("citizen-duplicate-follow", code=original.code) in text
    with pytest.raises(NotAllowed):  # only admins return reports
        await duplicates.mark_duplicate(
            db.uow(), report_id=original_id, original_code=copy.code, actor=PUPR,
            expected_version=original.version, now=NOW, calendar=CALENDAR, reason="Ganda")


async def test_a_confidential_original_is_refused(db: FakeDatabase) -> None:
    secret = await workflow.case_file(db.uow(), await _case(db, confidential=True))
    copy_id = (await services.submit_report(db.uow(), NEIGHBOUR, DRAFT, now=NOW,
                                            calendar=CALENDAR)).report_id
    with pytest.raises(InvalidInput) as refused:
        await duplicates.mark_duplicate(
            db.uow(), report_id=copy_id, original_code=secret.code, actor=ADMIN,
            expected_version=1, now=NOW, calendar=CALENDAR, reason="Ganda")
    assert refused.value.key == "error-duplicate-unusable"


async def test_the_coordinators_queue_leaves_confidential_reports_out(db: FakeDatabase) -> None:
    plain = await _case(db)
    await _case(db, confidential=True)
    listed, total = await workflow.queue(db.uow(), "coordinator", None, page=0)
    assert ([c.id for c in listed], total) == ([plain], 1)
    _, admin_total = await workflow.queue(db.uow(), "admin", None, page=0)
    assert admin_total == 2


async def test_staff_and_agency_names_lose_invisible_characters(db: FakeDatabase) -> None:
    member = await admin.add_staff(db.uow(), 9, "Ani\u202e \u200bAdmin\x07", Role.ADMIN, None,
                                   NOW)
    assert member.name == "Ani Admin"
    agency = await admin.add_agency(db.uow(), "BAPENDA", "Badan\u200f Pendapatan\u2066 Daerah")
    assert agency.name == "Badan Pendapatan Daerah"
    renamed = await admin.edit_agency(db.uow(), "BAPENDA", name="\u202eBapenda\u202c")
    assert renamed.name == "Bapenda"


async def test_a_stale_press_never_names_an_anonymous_reporter(db: FakeDatabase) -> None:
    report_id = await _case(db, anonymous=True)
    stale = (await workflow.case_file(db.uow(), report_id)).version
    await act(db.uow, report_id, Action.WITHDRAW, Actor(CITIZEN_ID, Role.CITIZEN, "Budi"))
    await identity.show_identity(db.uow(), report_id=report_id, actor=ADMIN, now=NOW)
    with pytest.raises(StaleReport) as late:
        await workflow.act(db.uow(), report_id=report_id, action=Action.FORWARD, actor=ADMIN,
                           expected_version=stale, now=NOW, calendar=CALENDAR, agency="PUPR")
    assert late.value.name == "citizen"  # the withdrawal, not the later showing, and no name
