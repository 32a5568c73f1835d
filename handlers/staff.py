"""Staff groups: report cards' buttons, reasons and proofs by ForceReply, /antrian, /hubungkan.

Groups run in privacy mode, so the bot sees only commands, button presses and replies to its
own messages. Every press is authorised by the presser's own staff role (and agency), never by
the chat it came from, and re-checked against the report's current status and version.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from aiogram import F, Router, html
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramForbiddenError
from aiogram.filters import Command, CommandObject, Filter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.callback_answer import CallbackAnswer

from complaints import admin, workflow
from complaints.errors import NotAllowed, StaleButton
from complaints.lifecycle import Action
from complaints.model import (
    Actor,
    CardKind,
    CaseFile,
    ChatBinding,
    ChatPurpose,
    ReportStatus,
    ReturnReason,
    Role,
)
from complaints.validation import MAX_PHOTOS, clean_text
from conversations.drafts import ProofDraft
from conversations.steps import END, Input, Markup, Step, Wizard
from handlers import delivery
from presentation.cards import audience_in, card_buttons, chat_may_see, staff_card
from presentation.context import AppContext
from presentation.keyboards import Button, inline_keyboard
from presentation.media import already_has, picture_of
from presentation.staff_callbacks import (
    ForwardCb,
    ProofAction,
    ProofCb,
    QueueCb,
    ReturnCb,
    StaffAction,
    StaffCb,
)
from presentation.texts import Translator

log = logging.getLogger(__name__)
GROUPS = {ChatType.GROUP, ChatType.SUPERGROUP}
ADMINS = {Role.ADMIN, Role.SUPERADMIN}
PAGE_SIZE = 5


class BoundChat(Filter):
    """Only chats bound to a purpose; the bot stays silent anywhere else."""

    async def __call__(self, event: Message | CallbackQuery, app: AppContext) -> bool | dict:
        chat = event.chat if isinstance(event, Message) else event.message.chat
        binding = await admin.chat_binding(app.uow(), chat.id)
        return {"binding": binding} if binding else False


async def _actor(app: AppContext, user_id: int, allowed: set[Role]) -> Actor:
    actor = await workflow.staff_actor(app.uow(), user_id)
    if actor.role not in allowed:
        log.warning("refused: user %s (%s) is not allowed here", user_id, actor.role)
        raise NotAllowed()
    return actor


def _card_kind(binding: ChatBinding, case: CaseFile) -> CardKind:
    if binding.purpose == ChatPurpose.OPD:
        return CardKind.AGENCY_CARD
    return CardKind.ADMIN_PROOF if case.status == ReportStatus.RESOLVED else CardKind.ADMIN_CARD


async def _current(app: AppContext, report_id: int, version: int,
                   acting: int | None = None) -> CaseFile:
    """The report if the pressed card is still current, else 'already handled by …'; a press
    that acts (`acting` user) replayed after a crash gets the report as it was pressed."""
    case = await workflow.case_file(app.uow(), report_id)
    if case.version != version:
        pressed = workflow.as_pressed(case, version, acting) if acting else None
        if pressed is None:
            raise workflow.already_handled(case)
        return pressed
    return case


# ---------------------------------------------------------------- binding and queue


async def link_chat(message: Message, command: CommandObject, t: Translator,
                    app: AppContext) -> None:
    """/hubungkan CODE: a staff member binds this group with a one-time code."""
    if not command.args:
        await message.reply(t("link-usage"))
        return
    binding = await admin.bind_with_code(app.uow(), command.args, user_id=message.from_user.id,
                                         chat_id=message.chat.id, title=message.chat.title,
                                         now=app.clock())
    await message.reply(t("link-done", purpose=t(f"purpose-{binding.purpose.value}"),
                          agency=binding.agency_code or ""))


async def queue_command(message: Message, t: Translator, app: AppContext,
                        binding: ChatBinding) -> None:
    """/antrian: what waits for this chat's role, paged."""
    await _actor(app, message.from_user.id, {Role.ADMIN, Role.SUPERADMIN, Role.COORDINATOR,
                                             Role.OPD})
    text, markup = await _queue_page(app, t, binding, 0)
    await message.answer(text, reply_markup=markup)


async def queue_page(query: CallbackQuery, callback_data: QueueCb, t: Translator,
                     app: AppContext, binding: ChatBinding) -> None:
    """Another page of the queue."""
    await _actor(app, query.from_user.id, {Role.ADMIN, Role.SUPERADMIN, Role.COORDINATOR,
                                           Role.OPD})
    text, markup = await _queue_page(app, t, binding, max(0, callback_data.page))
    await query.message.edit_text(text, reply_markup=markup)


async def _queue_page(app: AppContext, t: Translator, binding: ChatBinding,
                      page: int) -> tuple[str, InlineKeyboardMarkup]:
    cases, total = await workflow.queue(app.uow(), binding.purpose.value, binding.agency_code,
                                        page=page, page_size=PAGE_SIZE)
    names = await app.names()
    lines = [t("queue-line", code=c.code, status=t(f"status-{c.status.value}"),
               category=html.quote(names.category(t, c.category_key)),
               since=t.datetime(c.updated_at)) for c in cases]
    pages = max(1, -(-total // PAGE_SIZE))
    text = t("queue", count=total, page=page + 1, pages=pages,
             lines="\n".join(lines) if lines else t("queue-empty"))
    if binding.purpose == ChatPurpose.ADMIN:  # and what waits for chats that cannot be reached
        text += await delivery.queue_section(app, t)
    rows = [[(t("btn-show", code=c.code), StaffCb(
        action=StaffAction.SHOW, report_id=c.id, version=c.version))] for c in cases]
    nav = []
    if page > 0:
        nav.append(("◀️", QueueCb(page=page - 1)))
    if page + 1 < pages:
        nav.append(("▶️", QueueCb(page=page + 1)))
    return text, inline_keyboard(*rows, nav)


# ---------------------------------------------------------------- card buttons


async def card_button(query: CallbackQuery, callback_data: StaffCb, t: Translator,
                      app: AppContext, binding: ChatBinding,
                      callback_answer: CallbackAnswer) -> None:
    """One handler for every card button; each branch checks the presser's own role."""
    action, rid, version = callback_data.action, callback_data.report_id, callback_data.version
    if action == StaffAction.SHOW:
        await _actor(app, query.from_user.id, {Role.ADMIN, Role.SUPERADMIN, Role.COORDINATOR,
                                               Role.OPD})
        await _show(query, t, app, binding, rid)
        return
    allowed = ADMINS if action in (StaffAction.FORWARD_MENU, StaffAction.RETURN_MENU,
                                   StaffAction.CLOSE, StaffAction.REJECT, StaffAction.BACK) \
        else {Role.OPD}
    actor = await _actor(app, query.from_user.id, allowed)
    acts = action in (StaffAction.START, StaffAction.CLOSE)
    case = await _current(app, rid, version, query.from_user.id if acts else None)
    if actor.role == Role.OPD and actor.agency_code != case.agency_code:
        raise NotAllowed()
    if action == StaffAction.FORWARD_MENU:
        await query.message.edit_reply_markup(reply_markup=await _agency_menu(app, t, case))
    elif action == StaffAction.RETURN_MENU:
        await query.message.edit_reply_markup(reply_markup=_return_menu(t, case))
    elif action == StaffAction.BACK:
        await query.message.edit_reply_markup(
            reply_markup=card_buttons(t, _card_kind(binding, case), case))
    elif action == StaffAction.START:
        await _apply(query, callback_answer, t, app, actor, case, Action.START)
    elif action == StaffAction.CLOSE:
        await _apply(query, callback_answer, t, app, actor, case, Action.CLOSE)
    else:
        asked = {StaffAction.DONE: Action.RESOLVE, StaffAction.NOT_OURS: Action.SEND_BACK,
                 StaffAction.REJECT: Action.REJECT_PROOF}[action]
        await _ask(query, t, app, case, asked)


async def _apply(query: CallbackQuery, answer: CallbackAnswer, t: Translator, app: AppContext,
                 actor: Actor, case: CaseFile, action: Action, **inputs: Any) -> CaseFile:
    """Run the transition, update the pressed card at once, wake the outbox."""
    result = await workflow.act(app.uow(), report_id=case.id, action=action, actor=actor,
                                expected_version=case.version, now=app.clock(),
                                calendar=app.settings.calendar, sla=app.settings.sla, **inputs)
    await query.message.edit_reply_markup(reply_markup=None)
    answer.text = t(f"done-{action.value}", code=case.code)
    return result.report


async def _agency_menu(app: AppContext, t: Translator, case: CaseFile) -> InlineKeyboardMarkup:
    agencies, suggested = await admin.agencies_for(app.uow(), case.category_key)
    rows = [[(("⭐ " if a.code == suggested else "") + f"{a.code} — {a.name}"[:60],
              ForwardCb(report_id=case.id, version=case.version, agency=a.code))]
            for a in agencies]
    return inline_keyboard(*rows, [_back_to_card(t, case)])


def _return_menu(t: Translator, case: CaseFile) -> InlineKeyboardMarkup:
    rows = [[(t(f"btn-return-{reason.value}"),
              ReturnCb(report_id=case.id, version=case.version, reason=reason))]
            for reason in ReturnReason]
    return inline_keyboard(*rows, [_back_to_card(t, case)])


def _back_to_card(t: Translator, case: CaseFile) -> Button:
    return t("btn-back-card"), StaffCb(action=StaffAction.BACK, report_id=case.id,
                                       version=case.version)


async def forward_to(query: CallbackQuery, callback_data: ForwardCb, t: Translator,
                     app: AppContext, callback_answer: CallbackAnswer) -> None:
    """Verify & forward: the picked agency gets the report."""
    actor = await _actor(app, query.from_user.id, ADMINS)
    case = await _current(app, callback_data.report_id, callback_data.version,
                          query.from_user.id)
    action = Action.FORWARD if case.status == ReportStatus.SUBMITTED else Action.REASSIGN
    await _apply(query, callback_answer, t, app, actor, case, action, agency=callback_data.agency)


async def return_with(query: CallbackQuery, callback_data: ReturnCb, t: Translator,
                      app: AppContext, callback_answer: CallbackAnswer) -> None:
    """Return with a preset reason, or ask the admin to type one."""
    actor = await _actor(app, query.from_user.id, ADMINS)
    other = callback_data.reason == ReturnReason.OTHER  # asks first: nothing to replay
    case = await _current(app, callback_data.report_id, callback_data.version,
                          None if other else query.from_user.id)
    if other:
        await _ask(query, t, app, case, Action.RETURN)
        return
    label = Translator("id")(f"return-reason-{callback_data.reason.value}")
    await _apply(query, callback_answer, t, app, actor, case, Action.RETURN, reason=label,
                 reason_key=callback_data.reason.value)


async def _show(query: CallbackQuery, t: Translator, app: AppContext, binding: ChatBinding,
                report_id: int) -> None:
    """Post the report's card again in this chat (from the queue)."""
    case = await workflow.case_file(app.uow(), report_id)
    if not chat_may_see(binding, case):  # another agency's, or confidential (coordinator)
        raise NotAllowed()
    kind, names, seen_by = _card_kind(binding, case), await app.names(), audience_in(binding)
    await delivery.post_card(query.message, t, app, case, kind,
                             staff_card(t, kind, case, names, now=app.clock(), audience=seen_by),
                             card_buttons(t, kind, case))


# ---------------------------------------------------------------- questions by ForceReply


async def _ask(query: CallbackQuery, t: Translator, app: AppContext, case: CaseFile,
               action: Action) -> None:
    """Ask the presser (only them) for a reason or a proof, as a reply in this group."""
    user = query.from_user
    mention = f'<a href="tg://user?id={user.id}">{html.quote(user.full_name)}</a>'
    step = QUESTIONS.step(_question(action.value))
    prompt = await query.message.answer(
        step.question(t, None, user=mention, code=case.code),
        reply_markup=await step.keyboard(t, None, app))
    await app.pending.create(chat_id=prompt.chat.id, prompt_message_id=prompt.message_id,
                             user_id=user.id, report_id=case.id, version=case.version,
                             action=action.value)
    if action == Action.RESOLVE:
        await _ask_privately(query, t, app, case)


async def _ask_privately(query: CallbackQuery, t: Translator, app: AppContext,
                         case: CaseFile) -> None:
    """Photos are easier to send from the operator's own chat with the bot: ask there too."""
    user = query.from_user
    try:
        prompt = await query.bot.send_message(
            user.id, t("ask-resolve-private", code=case.code),
            reply_markup=ForceReply(input_field_placeholder=t("ask-placeholder")))
    except TelegramForbiddenError:  # never started the bot: the group reply still works
        return
    await app.pending.create(chat_id=user.id, prompt_message_id=prompt.message_id,
                             user_id=user.id, report_id=case.id, version=case.version,
                             action=Action.RESOLVE.value)


class ReplyToPending(Filter):
    """A reply to one of the bot's open questions."""

    async def __call__(self, message: Message, app: AppContext) -> bool | dict:
        replied = message.reply_to_message
        if replied is None:
            return False
        pending = await app.pending.by_prompt(message.chat.id, replied.message_id)
        if pending is None and replied.from_user and replied.from_user.is_bot and (
                message.date - replied.date).total_seconds() < 10:
            # a very quick reply can overtake the question's own bookkeeping: look once more
            await asyncio.sleep(0.3)
            pending = await app.pending.by_prompt(message.chat.id, replied.message_id)
        return {"pending": pending} if pending else False


async def answer(message: Message, t: Translator, app: AppContext, pending: Any) -> None:
    """The asked staff member answers: the question's row takes the reply or says what it needs."""
    if message.from_user.id != pending.user_id:
        await message.reply(t("ask-not-you"))
        return
    step = QUESTIONS.step(_question(pending.action))
    accepted = step.pick(message)
    if accepted is None or accepted.handle is None:
        await message.reply(t(step.hint))
        return
    await accepted.handle(message, t, app, pending)


async def _give_reason(message: Message, t: Translator, app: AppContext, pending: Any) -> None:
    """A typed reason completes the transition the question was asked for."""
    actor = await workflow.staff_actor(app.uow(), message.from_user.id)
    action = Action(pending.action)
    await workflow.act(app.uow(), report_id=pending.report_id, action=action, actor=actor,
                       expected_version=pending.version, now=app.clock(),
                       calendar=app.settings.calendar, sla=app.settings.sla, reason=message.text)
    await app.pending.drop_question(pending)
    await message.reply(t(f"done-{action.value}", code=(await workflow.case_file(
        app.uow(), pending.report_id)).code))


async def _collect_proof(message: Message, t: Translator, app: AppContext, pending: Any) -> None:
    """Photos and a note arrive in any order and number of replies; one summary, edited."""
    draft = ProofDraft.from_state_data(pending.data)
    picture = picture_of(message)
    note = message.caption or message.text
    if picture is None and not note:
        await message.reply(t("proof-hint"))
        return
    if picture is not None:
        if len(draft.photos) >= MAX_PHOTOS:
            await message.reply(t("intake-photos-full", max=MAX_PHOTOS))
        elif not already_has(draft.photos, picture):  # else: a replayed reply
            draft = replace(draft, photos=(*draft.photos, picture))
    if note:
        draft = replace(draft, note=clean_text(note, multiline=True))
    photos = draft.photos
    summary = t("proof-summary", count=len(photos), note=html.quote(draft.note or "-"))
    ready = bool(photos) and bool(draft.note)
    markup = inline_keyboard([
        (t("btn-proof-submit"), ProofCb(input_id=pending.id, action=ProofAction.SUBMIT)),
        (t("btn-proof-cancel"), ProofCb(input_id=pending.id, action=ProofAction.CANCEL)),
    ]) if ready else None
    if not ready:
        summary += "\n" + t("proof-missing-photo" if not photos else "proof-missing-note")
    summary_id = draft.summary_id
    if summary_id and message.media_group_id and message.media_group_id == draft.album:
        await message.bot.edit_message_text(text=summary, chat_id=message.chat.id,
                                            message_id=summary_id, reply_markup=markup)
    else:
        sent = await message.reply(summary, reply_markup=markup)
        draft = replace(draft, summary_id=sent.message_id)
    draft = replace(draft, album=message.media_group_id)
    await app.pending.set_data(pending.id, draft.to_state_data())


async def proof_button(query: CallbackQuery, callback_data: ProofCb, t: Translator,
                       app: AppContext, callback_answer: CallbackAnswer) -> None:
    """Send the assembled proof (only the operator who was asked can)."""
    pending = await app.pending.get(callback_data.input_id)
    if pending is None:
        raise StaleButton()
    if pending.user_id != query.from_user.id:
        raise NotAllowed()
    if callback_data.action == ProofAction.CANCEL:
        await app.pending.drop_question(pending)
        await query.message.edit_text(t("proof-cancelled"))
        return
    actor = await workflow.staff_actor(app.uow(), query.from_user.id)
    draft = ProofDraft.from_state_data(pending.data)
    result = await workflow.act(app.uow(), report_id=pending.report_id, action=Action.RESOLVE,
                                actor=actor, expected_version=pending.version, now=app.clock(),
                                calendar=app.settings.calendar, sla=app.settings.sla,
                                proof=draft.proof(), note=draft.note)
    await app.pending.drop_question(pending)
    await query.message.edit_reply_markup(reply_markup=None)
    callback_answer.text = t("done-resolve", code=result.report.code)


class Question(StatesGroup):
    """A question a staff member answers by replying, named after the transition it completes."""

    return_ = State("return")
    send_back = State()
    reject_proof = State()
    resolve = State()


def _question(action: str) -> str:
    """The row of a pending question (its action value is the state's short name)."""
    return f"{Question.__full_group_name__}:{action}"


async def _force_reply(t: Translator, draft: Any, app: Any) -> Markup:
    """Only the presser's reply is wanted (groups run in privacy mode)."""
    return ForceReply(selective=True, input_field_placeholder=t("ask-placeholder"))


def _reason_step(state: State, prompt: str, outcome: str) -> Step:
    return Step(state, prompt, "ask-text-needed", _force_reply, inputs=(
        Input(f"reply with the reason ({outcome})", (F.text,), handle=_give_reason, to=END),))


QUESTIONS = Wizard(
    draft=ProofDraft,
    entries=((Question.return_, "Return → Other (admin)"),
             (Question.send_back, "Not ours (OPD)"),
             (Question.reject_proof, "Reject proof (admin)"),
             (Question.resolve, "Done (OPD; asked in the group and in private)")),
    steps=(
        _reason_step(Question.return_, "ask-return", "RETURNED"),
        _reason_step(Question.send_back, "ask-send_back", "SUBMITTED again"),
        _reason_step(Question.reject_proof, "ask-reject_proof", "IN_PROGRESS again"),
        Step(Question.resolve, "ask-resolve", "proof-hint", _force_reply, inputs=(
            Input("reply with photos and/or a note (5 photos at most)",
                  (F.photo | F.document | F.text | F.caption,), handle=_collect_proof,
                  to=Question.resolve),
            Input("Send proof (RESOLVED) or Cancel", (ProofCb.filter(),), handle=proof_button,
                  to=END, press=True))),
    ),
)


def _register_questions(router: Router, *filters: Any) -> None:
    """Replies to the bot's questions and the proof's buttons, as the question rows take them."""
    router.message.register(answer, *filters, ReplyToPending())
    for press in (i for row in QUESTIONS.steps for i in row.inputs if i.press and i.handle):
        router.callback_query.register(press.handle, *press.filters, *filters)


# ---------------------------------------------------------------- membership


async def added_to_group(event: ChatMemberUpdated, app: AppContext) -> None:
    """Added to a group nobody bound: stay silent there, tell the superadmins."""
    if await admin.chat_binding(app.uow(), event.chat.id) is not None:
        return
    t = Translator(app.settings.default_language, app.settings.zone)
    for member in await admin.superadmins(app.uow()):
        try:
            await event.bot.send_message(member.telegram_id, t(
                "unbound-chat", title=html.quote(event.chat.title or "-"), chat_id=event.chat.id,
                by=html.quote(event.from_user.full_name)))
        except Exception:
            log.warning("could not tell superadmin %s about chat %s", member.telegram_id,
                        event.chat.id, exc_info=True)


async def silent(_: Message | CallbackQuery) -> None:
    """Anything else in a group: say nothing (the bot is a guest there)."""


def create_private_router() -> Router:
    """An operator's own chat with the bot: answers to the private proof question."""
    router = Router(name=f"{__name__}.private")
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    _register_questions(router)
    return router


def create_router() -> Router:
    """Staff groups: commands, card buttons, answers to the bot's questions."""
    router = Router(name=__name__)
    router.message.filter(F.chat.type.in_(GROUPS))
    router.callback_query.filter(F.message.chat.type.in_(GROUPS))
    router.my_chat_member.filter(F.chat.type.in_(GROUPS))
    bound = BoundChat()
    router.my_chat_member.register(
        added_to_group, F.new_chat_member.status.in_({"member", "administrator"}))
    router.message.register(link_chat, Command("hubungkan", "link"))
    router.message.register(queue_command, Command("antrian", "queue"), bound)
    _register_questions(router, bound)
    router.callback_query.register(card_button, StaffCb.filter(), bound)
    router.callback_query.register(forward_to, ForwardCb.filter(), bound)
    router.callback_query.register(return_with, ReturnCb.filter(), bound)
    router.callback_query.register(queue_page, QueueCb.filter(), bound)
    router.message.register(silent)
    router.callback_query.register(silent)
    return router
