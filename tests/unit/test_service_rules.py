"""Service rules on the in-memory unit of work: what citizens, staff and operators may do."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaints import admin, services, workflow
from complaints.errors import (
    InvalidInput,
    NotAllowed,
    NotRegistered,
    ReportNotFound,
    StaleReport,
)
from complaints.lifecycle import Action
from complaints.model import (
    Actor,
    ChatPurpose,
    Citizen,
    GeoPoint,
    Notice,
    NoticeTarget,
    ReportDraft,
    ReportStatus,
    Role,
)
from complaints.questions import PendingInputs
from complaints.tracking import normalize_tracking_code
from tests.fakes import FakeDatabase
from tests.workflow_steps import (
    ADMIN,
    CALENDAR,
    CITIZEN_ID,
    DLH,
    DRAFT,
    NOW,
    PHOTO,
    PUPR,
    act,
    closed,
    submit,
)

COORDINATOR = Actor(4, Role.COORDINATOR, "Kiki Koordinator")
OWNER = Actor(CITIZEN_ID, Role.CITIZEN, "Budi")


async def _register(db: FakeDatabase, telegram_id: int = CITIZEN_ID, name: str = "Budi") -> None:
    """A citizen registered with consent."""
    await services.register_citizen(db.uow(), telegram_id, name=name, phone="+6281234567890",
                                    language="id", consent_at=NOW, now=NOW)


@pytest.fixture
async def db() -> FakeDatabase:
    """A city with an admin, a coordinator, two agencies' operators and one citizen."""
    database = FakeDatabase()
    for actor in (ADMIN, PUPR, DLH, COORDINATOR):
        await admin.add_staff(database.uow(), actor.telegram_id, actor.name, actor.role,
                              actor.agency_code, NOW)
    await _register(database)
    return database


def _kinds(db: FakeDatabase) -> list[str]:
    """The kinds of committed outbox notices, oldest first."""
    return [notice.kind for notice in db.state.outbox]


# --- the fake keeps the unit-of-work contract the services rely on ---------------------------

async def test_changes_are_seen_only_after_commit() -> None:
    database = FakeDatabase()
    async with database.uow() as uow:
        await uow.citizens.save(Citizen(7, "id"), NOW)
        assert await uow.citizens.get(7) is not None  # the transaction sees its own writes
    assert await services.get_citizen(database.uow(), 7) is None
    async with database.uow() as uow:
        await uow.citizens.save(Citizen(7, "id"), NOW)
        await uow.commit()
    assert await services.get_citizen(database.uow(), 7) == Citizen(7, "id")


async def test_a_failed_action_leaves_no_trace(db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    before = await workflow.case_file(db.uow(), report_id)
    outbox = list(db.state.outbox)
    with pytest.raises(InvalidInput):
        await act(db.uow, report_id, Action.FORWARD, ADMIN, agency="NOPE")
    assert await workflow.case_file(db.uow(), report_id) == before
    assert db.state.outbox == outbox


# --- registration -------------------------------------------------------------------------

async def test_first_contact_creates_an_unregistered_citizen_once() -> None:
    database = FakeDatabase()
    first = await services.ensure_citizen(database.uow(), 7, "en", NOW)
    assert first == Citizen(7, "en") and not first.is_registered
    again = await services.ensure_citizen(database.uow(), 7, "id", NOW)
    assert again.language == "en"  # the language guessed at first contact stays
    with pytest.raises(ValueError, match="timezone-aware"):
        await services.ensure_citizen(database.uow(), 8, "id", datetime(2026, 1, 1))  # noqa: DTZ001


async def test_only_registered_citizens_with_consent_may_submit() -> None:
    database = FakeDatabase()
    await services.ensure_citizen(database.uow(), CITIZEN_ID, "id", NOW)
    with pytest.raises(NotRegistered):
        await submit(database.uow)
    await _register(database)
    citizen = await services.get_citizen(database.uow(), CITIZEN_ID)
    assert citizen is not None and citizen.is_registered and citizen.consent_at == NOW
    assert await submit(database.uow)


async def test_language_switch_is_kept_and_unknown_languages_refused(db: FakeDatabase) -> None:
    with pytest.raises(InvalidInput) as err:
        await services.set_language(db.uow(), CITIZEN_ID, "fr", NOW)
    assert err.value.key == "error-language-unknown"
    await services.set_language(db.uow(), CITIZEN_ID, "en", NOW)
    citizen = await services.get_citizen(db.uow(), CITIZEN_ID)
    assert citizen is not None and citizen.language == "en" and citizen.name == "Budi"


# --- submitting ---------------------------------------------------------------------------

async def test_submit_gives_a_tracking_code_a_verify_deadline_and_an_admin_card(
        db: FakeDatabase) -> None:
    submitted = await services.submit_report(db.uow(), CITIZEN_ID, DRAFT, now=NOW,
                                             calendar=CALENDAR)
    assert normalize_tracking_code(submitted.code) == submitted.code
    # three working days after a Thursday: Friday, Monday, and the end of Tuesday
    assert submitted.verify_due == datetime(2026, 12, 8, 23, 59, 59,
                                            tzinfo=ZoneInfo("Asia/Makassar"))
    assert db.state.outbox == [
        Notice("citizen_submitted", NoticeTarget.CITIZEN, submitted.report_id, str(CITIZEN_ID)),
        Notice("admin_card", NoticeTarget.ADMIN, submitted.report_id)]
    case = await workflow.case_file_by_code(db.uow(), submitted.code)
    assert case.status is ReportStatus.SUBMITTED and case.version == 1 and case.photos == PHOTO
    assert [(e.action, e.actor_name) for e in case.events] == [("submit", "Budi")]


@pytest.mark.parametrize(("draft", "key"), [
    (ReportDraft((), DRAFT.location, DRAFT.description, "roads"), "error-photo-count"),
    (ReportDraft(PHOTO * 6, DRAFT.location, DRAFT.description, "roads"), "error-photo-count"),
    (ReportDraft(PHOTO, DRAFT.location, DRAFT.description, "nuclear"), "error-category-unknown"),
])
async def test_submit_refuses_bad_drafts_and_stores_nothing(
        db: FakeDatabase, draft: ReportDraft, key: str) -> None:
    with pytest.raises(InvalidInput) as err:
        await submit(db.uow, draft)
    assert err.value.key == key
    assert db.state.reports == {} and db.state.outbox == []


async def test_citizens_see_only_their_own_reports_newest_first(db: FakeDatabase) -> None:
    await _register(db, 200, "Sari")
    first = await submit(db.uow)
    second = await submit(db.uow, now=NOW + timedelta(hours=1))
    mine = await services.list_my_reports(db.uow(), CITIZEN_ID)
    codes = [(await workflow.case_file(db.uow(), rid)).code for rid in (second, first)]
    assert [summary.code for summary in mine] == codes
    assert await services.list_my_reports(db.uow(), 200) == []
    with pytest.raises(ReportNotFound):
        await services.get_my_report(db.uow(), 200, codes[0])
    assert (await services.get_my_report(db.uow(), CITIZEN_ID, codes[0])).id == second


# --- who may act --------------------------------------------------------------------------

async def test_only_staff_act_as_staff_and_removed_staff_no_longer() -> None:
    database = FakeDatabase()
    await admin.add_staff(database.uow(), 1, "Ani Admin", Role.ADMIN, None, NOW)
    assert await workflow.staff_actor(database.uow(), 1) == Actor(1, Role.ADMIN, "Ani Admin")
    with pytest.raises(NotAllowed):
        await workflow.staff_actor(database.uow(), 999)
    assert await admin.remove_staff(database.uow(), 1) is True
    assert await admin.remove_staff(database.uow(), 1) is False
    with pytest.raises(NotAllowed):
        await workflow.staff_actor(database.uow(), 1)


@pytest.mark.parametrize(("actor", "action", "inputs"), [
    (PUPR, Action.FORWARD, {"agency": "PUPR"}),
    (COORDINATOR, Action.FORWARD, {"agency": "PUPR"}),
    (COORDINATOR, Action.RETURN, {"reason": "tidak lengkap"}),
    (Actor(200, Role.CITIZEN, "Sari"), Action.WITHDRAW, {}),
])
async def test_a_submitted_report_refuses_the_wrong_roles(
        db: FakeDatabase, actor: Actor, action: Action, inputs: dict[str, str]) -> None:
    report_id = await submit(db.uow)
    with pytest.raises(NotAllowed):
        await act(db.uow, report_id, action, actor, **inputs)
    case = await workflow.case_file(db.uow(), report_id)
    assert case.status is ReportStatus.SUBMITTED and case.version == 1


async def test_agency_staff_act_only_on_their_own_agency_reports(db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    await act(db.uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    for intruder in (DLH, ADMIN, COORDINATOR):
        with pytest.raises(NotAllowed):
            await act(db.uow, report_id, Action.START, intruder)
    started = await act(db.uow, report_id, Action.START, PUPR)
    assert started.report.status is ReportStatus.IN_PROGRESS
    assert db.state.outbox[-2] == Notice("citizen_in_progress", NoticeTarget.CITIZEN, report_id,
                                         str(CITIZEN_ID), {"agency": "PUPR"})


async def test_a_stale_press_is_already_handled_and_applies_nothing(db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    old = await workflow.case_file(db.uow(), report_id)
    await act(db.uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    second_admin = Actor(5, Role.ADMIN, "Dodi Admin")
    with pytest.raises(StaleReport) as err:
        await workflow.act(db.uow(), report_id=report_id, action=Action.FORWARD,
                           actor=second_admin, expected_version=old.version, now=NOW,
                           calendar=CALENDAR, agency="DLH")
    assert err.value.params["name"] == ADMIN.name
    assert err.value.params["status"] == "forwarded"
    case = await workflow.case_file(db.uow(), report_id)
    assert case.agency_code == "PUPR" and case.version == 2
    assert _kinds(db).count("agency_card") == 1


async def test_an_action_the_status_does_not_allow_is_already_handled(db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    with pytest.raises(StaleReport) as err:
        await act(db.uow, report_id, Action.CLOSE, ADMIN)
    assert err.value.params["status"] == "submitted"


# --- inputs each step needs ---------------------------------------------------------------

async def test_return_needs_a_reason_of_reasonable_length(db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    for reason, key in ((None, "error-reason-required"), ("   ", "error-reason-required"),
                        ("x" * 501, "error-reason-long")):
        with pytest.raises(InvalidInput) as err:
            await act(db.uow, report_id, Action.RETURN, ADMIN, reason=reason)
        assert err.value.key == key
    returned = await act(db.uow, report_id, Action.RETURN, ADMIN, reason="  Foto  buram ",
                          reason_key="incomplete")
    assert returned.report.status is ReportStatus.RETURNED
    assert returned.report.events[-1].note == "Foto buram"
    assert db.state.outbox[-2] == Notice(
        "citizen_returned", NoticeTarget.CITIZEN, report_id, str(CITIZEN_ID),
        {"reason": "Foto buram", "reason_key": "incomplete"})


async def test_forward_needs_an_active_agency_and_starts_the_ten_day_clock(
        db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    await admin.edit_agency(db.uow(), "DLH", active=False)
    for agency in (None, "NOPE", "DLH"):
        with pytest.raises(InvalidInput) as err:
            await act(db.uow, report_id, Action.FORWARD, ADMIN, agency=agency)
        assert err.value.key == "error-agency-unknown"
    forwarded = (await act(db.uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")).report
    assert forwarded.agency_code == "PUPR"
    assert forwarded.finish_due == datetime(2026, 12, 17, 23, 59, 59,
                                            tzinfo=ZoneInfo("Asia/Makassar"))
    assert _kinds(db)[-4:] == ["agency_card", "coordinator_forwarded", "citizen_forwarded",
                               "refresh_cards"]
    assert db.state.outbox[-4].target_ref == "PUPR"


async def test_done_needs_proof_photos_and_a_note(db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    await act(db.uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    await act(db.uow, report_id, Action.START, PUPR)
    for proof, note, key in (((), "Sudah", "error-proof-photo-required"),
                             (PHOTO * 6, "Sudah", "error-proof-photo-required"),
                             (PHOTO, "  ", "error-proof-note-required")):
        with pytest.raises(InvalidInput) as err:
            await act(db.uow, report_id, Action.RESOLVE, PUPR, proof=proof, note=note)
        assert err.value.key == key
    resolved = (await act(db.uow, report_id, Action.RESOLVE, PUPR, proof=PHOTO,
                           note="Sudah ditambal")).report
    assert resolved.status is ReportStatus.RESOLVED and resolved.proof_photos == PHOTO
    assert resolved.resolution_note == "Sudah ditambal" and resolved.photos == PHOTO
    assert _kinds(db)[-2] == "admin_proof"


async def test_not_ours_goes_back_to_the_admin_without_an_agency(db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    await act(db.uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    back = (await act(db.uow, report_id, Action.SEND_BACK, PUPR, reason="Urusan DLH")).report
    assert back.status is ReportStatus.SUBMITTED and back.agency_code is None
    assert db.state.outbox[-2] == Notice("coordinator_sent_back", NoticeTarget.COORDINATOR,
                                         report_id, "PUPR",
                                         {"reason": "Urusan DLH", "reason_key": ""})


async def test_reassigning_tells_the_previous_agency(db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    await act(db.uow, report_id, Action.FORWARD, ADMIN, agency="PUPR")
    await act(db.uow, report_id, Action.REASSIGN, ADMIN, agency="DLH")
    assert Notice("agency_reassigned_away", NoticeTarget.AGENCY, report_id, "PUPR") in (
        db.state.outbox)
    assert (await workflow.case_file(db.uow(), report_id)).agency_code == "DLH"


async def test_withdraw_by_the_owner_only_before_forwarding(db: FakeDatabase) -> None:
    withdrawn = await submit(db.uow)
    result = await act(db.uow, withdrawn, Action.WITHDRAW, OWNER)
    assert result.report.status is ReportStatus.WITHDRAWN
    assert _kinds(db)[-2] == "admin_withdrawn"
    forwarded = await submit(db.uow)
    await act(db.uow, forwarded, Action.FORWARD, ADMIN, agency="PUPR")
    with pytest.raises(StaleReport):
        await act(db.uow, forwarded, Action.WITHDRAW, OWNER)


async def test_resubmit_keeps_the_code_and_counts_revisions(db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    before = await workflow.case_file(db.uow(), report_id)
    await act(db.uow, report_id, Action.RETURN, ADMIN, reason="kurang", reason_key="incomplete")
    fixed = ReportDraft(PHOTO * 2, GeoPoint(3.31, 117.6), "Lubang besar di Jl. Mulawarman.",
                        "drainage")
    after = (await act(db.uow, report_id, Action.RESUBMIT, OWNER, draft=fixed)).report
    assert after.code == before.code and after.revision == 2
    assert after.status is ReportStatus.SUBMITTED and after.category_key == "drainage"
    assert after.photos == PHOTO * 2 and after.location == GeoPoint(3.31, 117.6)
    assert db.state.outbox[-2] == Notice("admin_card", NoticeTarget.ADMIN, report_id,
                                         params={"resubmitted": "True"})


# --- after closing: rating and reopening --------------------------------------------------

async def test_close_tells_the_citizen_and_the_coordinator(db: FakeDatabase) -> None:
    report_id = await closed(db.uow)
    case = await workflow.case_file(db.uow(), report_id)
    assert case.status is ReportStatus.CLOSED and case.closed_at == NOW
    assert _kinds(db)[-3:] == ["citizen_closed", "coordinator_closed", "refresh_cards"]


async def test_a_good_rating_is_stored_and_the_report_stays_closed(db: FakeDatabase) -> None:
    report_id = await closed(db.uow)
    for stars in (0, 6):
        with pytest.raises(InvalidInput):
            await workflow.rate(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id,
                                stars=stars, comment=None, now=NOW, calendar=CALENDAR)
    rated = await workflow.rate(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id, stars=5,
                                comment=" Cepat  dan rapi ", now=NOW, calendar=CALENDAR)
    assert rated.status is ReportStatus.CLOSED
    assert (rated.rating, rated.rating_comment) == (5, "Cepat dan rapi")


async def test_a_low_rating_reopens_for_the_admin(db: FakeDatabase) -> None:
    report_id = await closed(db.uow)
    reopened = await workflow.rate(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id,
                                   stars=2, comment=None, now=NOW, calendar=CALENDAR)
    assert reopened.status is ReportStatus.SUBMITTED and reopened.rating == 2
    assert reopened.agency_code is None and reopened.closed_at is None
    assert reopened.events[-1].note == "★2"
    assert db.state.outbox[-3] == Notice("admin_reopened", NoticeTarget.ADMIN, report_id,
                                         params={"reason": "★2", "reason_key": ""})
    with pytest.raises(StaleReport):
        await workflow.rate(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id, stars=5,
                            comment=None, now=NOW, calendar=CALENDAR)


async def test_rating_needs_a_closed_report_of_ones_own(db: FakeDatabase) -> None:
    report_id = await submit(db.uow)
    with pytest.raises(StaleReport):
        await workflow.rate(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id, stars=5,
                            comment=None, now=NOW, calendar=CALENDAR)
    with pytest.raises(ReportNotFound):
        await workflow.rate(db.uow(), citizen_id=999, report_id=report_id, stars=5,
                            comment=None, now=NOW, calendar=CALENDAR)


async def test_not_fixed_only_within_seven_days_and_by_the_owner(db: FakeDatabase) -> None:
    report_id = await closed(db.uow)
    with pytest.raises(ReportNotFound):
        await workflow.not_fixed(db.uow(), citizen_id=999, report_id=report_id, words="x",
                                 now=NOW, calendar=CALENDAR)
    with pytest.raises(InvalidInput) as err:
        await workflow.not_fixed(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id,
                                 words="Belum", now=NOW + timedelta(days=8), calendar=CALENDAR)
    assert err.value.key == "error-not-fixed-too-late"
    case = await workflow.not_fixed(db.uow(), citizen_id=CITIZEN_ID, report_id=report_id,
                                    words="Belum beres", now=NOW + timedelta(days=2),
                                    calendar=CALENDAR)
    assert case.status is ReportStatus.SUBMITTED and case.events[-1].note == "Belum beres"


# --- staff queues and questions -----------------------------------------------------------

async def test_queues_page_oldest_first_and_agencies_see_their_own(db: FakeDatabase) -> None:
    ids = [await submit(db.uow, now=NOW + timedelta(minutes=n)) for n in range(3)]
    await act(db.uow, ids[0], Action.FORWARD, ADMIN, agency="PUPR")
    await act(db.uow, ids[1], Action.FORWARD, ADMIN, agency="DLH")
    page, total = await workflow.queue(db.uow(), "opd", "PUPR", page=0)
    assert [c.id for c in page] == [ids[0]] and total == 1
    page, total = await workflow.queue(db.uow(), "coordinator", None, page=1, page_size=2)
    assert [c.id for c in page] == [ids[2]] and total == 3
    page, total = await workflow.queue(db.uow(), "admin", None, page=0)
    assert [c.id for c in page] == [ids[2]] and total == 1


async def test_a_question_asked_twice_is_answered_once() -> None:
    database = FakeDatabase()
    questions = PendingInputs(database.uow, clock=lambda: NOW)
    in_group = await questions.create(chat_id=-10, prompt_message_id=5, user_id=2, report_id=1,
                                      version=3, action="resolve")
    await questions.create(chat_id=2, prompt_message_id=6, user_id=2, report_id=1, version=3,
                           action="resolve")
    other = await questions.create(chat_id=-10, prompt_message_id=7, user_id=3, report_id=1,
                                   version=3, action="resolve")
    await questions.set_data(in_group, {"note": "Sudah"})
    found = await questions.by_prompt(-10, 5)
    assert found is not None and found.data == {"note": "Sudah"} and found.version == 3
    await questions.drop_question(found)
    assert await questions.by_prompt(-10, 5) is None and await questions.by_prompt(2, 6) is None
    assert await questions.get(other) is not None


# --- administration -----------------------------------------------------------------------

async def test_link_codes_bind_once_for_staff_before_they_expire(db: FakeDatabase) -> None:
    code, expires = await admin.new_link_code(db.uow(), ChatPurpose.ADMIN, None, NOW,
                                              ttl=timedelta(minutes=5))
    assert expires == NOW + timedelta(minutes=5)
    with pytest.raises(NotAllowed):
        await admin.bind_with_code(db.uow(), code, user_id=CITIZEN_ID, chat_id=-1, title=None,
                                   now=NOW)
    with pytest.raises(InvalidInput) as err:
        await admin.bind_with_code(db.uow(), code, user_id=ADMIN.telegram_id, chat_id=-1,
                                   title=None, now=NOW + timedelta(minutes=6))
    assert err.value.key == "error-link-code"
    other, _ = await admin.new_link_code(db.uow(), ChatPurpose.OPD, "pupr", NOW)
    binding = await admin.bind_with_code(db.uow(), f" {other.lower()} ",
                                         user_id=ADMIN.telegram_id, chat_id=-5, title="PUPR",
                                         now=NOW)
    assert (binding.purpose, binding.agency_code) == (ChatPurpose.OPD, "PUPR")
    assert await admin.chat_binding(db.uow(), -5) == binding
    with pytest.raises(InvalidInput):
        await admin.bind_with_code(db.uow(), other, user_id=ADMIN.telegram_id, chat_id=-6,
                                   title=None, now=NOW)
    assert await admin.chat_binding(db.uow(), -6) is None


async def test_chat_bindings_follow_their_purpose_rules_and_migrations(db: FakeDatabase) -> None:
    for purpose, agency in ((ChatPurpose.OPD, None), (ChatPurpose.ADMIN, "PUPR")):
        with pytest.raises(InvalidInput) as err:
            await admin.bind_chat(db.uow(), -1, purpose, agency, NOW)
        assert err.value.key == "error-chat-agency"
    with pytest.raises(InvalidInput):
        await admin.new_link_code(db.uow(), ChatPurpose.OPD, "NOPE", NOW)
    await admin.bind_chat(db.uow(), -1, ChatPurpose.OPD, "dlh", NOW, title="OPD DLH")
    await admin.migrate_chat(db.uow(), -1, -1001)
    assert await admin.chat_binding(db.uow(), -1) is None
    moved = await admin.chat_binding(db.uow(), -1001)
    assert moved is not None and moved.agency_code == "DLH"
    assert await admin.unbind_chat(db.uow(), -1001) is True
    assert await admin.list_chats(db.uow()) == []


async def test_agencies_have_short_upper_case_codes_and_a_name() -> None:
    database = FakeDatabase()
    agency = await admin.add_agency(database.uow(), " dishub ", " Dinas Perhubungan ")
    assert (agency.code, agency.name) == ("DISHUB", "Dinas Perhubungan")
    for code, name, key in (("D", "Dinas", "error-agency-code"),
                            ("DINAS-X", "Dinas", "error-agency-code"),
                            ("PKK", "  ", "error-agency-name"),
                            ("Dishub", "Lagi", "error-agency-exists")):
        with pytest.raises(InvalidInput) as err:
            await admin.add_agency(database.uow(), code, name)
        assert err.value.key == key
    assert [a.code for a in await admin.list_agencies(database.uow())] == ["DISHUB", "DLH",
                                                                          "PUPR"]


async def test_an_inactive_agency_is_hidden_and_gets_no_new_staff(db: FakeDatabase) -> None:
    await admin.edit_agency(db.uow(), "dlh", active=False)
    assert [a.code for a in await admin.list_agencies(db.uow())] == ["PUPR"]
    assert "DLH" in [a.code for a in await admin.list_agencies(db.uow(), include_inactive=True)]
    with pytest.raises(InvalidInput) as err:
        await admin.add_staff(db.uow(), 50, "Baru", Role.OPD, "DLH", NOW)
    assert err.value.key == "error-agency-unknown"
    renamed = await admin.edit_agency(db.uow(), "DLH", name="Dinas LH", active=True)
    assert renamed.name == "Dinas LH" and renamed.active


async def test_staff_roles_and_agencies_go_together(db: FakeDatabase) -> None:
    for role, agency, key in ((Role.CITIZEN, None, "error-staff-role"),
                              (Role.OPD, None, "error-staff-agency"),
                              (Role.ADMIN, "PUPR", "error-staff-agency")):
        with pytest.raises(InvalidInput) as err:
            await admin.add_staff(db.uow(), 50, "Baru", role, agency, NOW)
        assert err.value.key == key
    with pytest.raises(InvalidInput):
        await admin.add_staff(db.uow(), 50, "x" * 101, Role.ADMIN, None, NOW)
    member = await admin.add_staff(db.uow(), 50, "  ", Role.OPD, "pupr", NOW)
    assert (member.name, member.agency_code) == ("50", "PUPR")
    await admin.add_staff(db.uow(), 60, "Super Sari", Role.SUPERADMIN, None, NOW)
    assert [m.telegram_id for m in await admin.superadmins(db.uow())] == [60]


async def test_the_suggested_agency_is_offered_first(db: FakeDatabase) -> None:
    agencies, suggested = await admin.agencies_for(db.uow(), "waste")
    assert suggested == "DLH" and agencies[0].code == "DLH"
    await admin.suggest_agency(db.uow(), "waste", "pupr")
    agencies, suggested = await admin.agencies_for(db.uow(), "waste")
    assert suggested == "PUPR" and [a.code for a in agencies] == ["PUPR", "DLH"]
    with pytest.raises(InvalidInput) as err:
        await admin.suggest_agency(db.uow(), "waste", "NOPE")
    assert err.value.key == "error-agency-unknown"
    with pytest.raises(InvalidInput) as err:
        await admin.suggest_agency(db.uow(), "nuclear", "PUPR")
    assert err.value.key == "error-category-unknown"
