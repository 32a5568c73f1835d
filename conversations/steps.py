"""The step table every wizard is written as: one row per step, one dispatch, one graph.

A row says what the step asks (text key, its arguments, keyboard), what it takes (inputs, each
with its filters and either a `take` that folds the input into the draft or its own handler),
where it goes next (also while editing from a review), where /kembali leads and which review
button opens it. `Wizard` turns the rows into aiogram handlers (each state's inputs, then the
catch-all that re-prompts), into prompts, and into the Mermaid graph in conversations/README.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, Self

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from presentation.texts import Translator

END = "[*]"
TEXT = F.text & ~F.text.startswith("/")  # typed text, not a command
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None
Event = Message | CallbackQuery


class Draft(Protocol):
    """What a wizard's typed draft offers the dispatch."""

    editing: bool

    @classmethod
    def from_state_data(cls, data: Mapping[str, Any]) -> Self: ...

    def to_state_data(self) -> dict[str, Any]: ...

    def entering(self, step: str, *, editing: bool) -> Self: ...

    def touched(self, now: datetime) -> Self: ...


Keyboard = Callable[[Translator, Any, Any], Awaitable[Markup]]
Show = Callable[[Message, Translator, Any, Any], Awaitable[None]]
Take = Callable[..., Awaitable[Any]]
Handler = Callable[..., Awaitable[None]]


async def no_keyboard(t: Translator, draft: Any, app: Any) -> Markup:
    """Steps that ask without buttons take the previous step's reply keyboard away."""
    return ReplyKeyboardRemove()


def no_args(draft: Any) -> dict[str, Any]:
    """Most questions have no placeholders."""
    return {}


@dataclass(frozen=True, slots=True)
class Input:
    """One kind of input a step accepts and the graph edge it draws."""

    label: str
    filters: tuple[Any, ...]
    take: Take | None = None  # (event, draft, **data) -> new draft, or None when refused
    handle: Handler | None = None  # a handler of its own instead of take-and-advance
    to: State | str | None = None  # graph target: None = the step's next, END = leaves
    press: bool = False  # a button press rather than a message


@dataclass(frozen=True, slots=True)
class Step:
    """One row of a wizard's table."""

    state: State
    prompt: str  # catalogue key of the question
    hint: str  # catalogue key said before asking again when the input does not fit
    keyboard: Keyboard = no_keyboard
    args: Callable[[Any], dict[str, Any]] = no_args
    show: Show | None = None  # a question that is more than one text (the review)
    inputs: tuple[Input, ...] = ()
    next: State | None = None
    while_editing: State | None = None  # next step when opened from the review
    back: State | None = None  # where /kembali leads
    edit: StrEnum | None = None  # the review's button that opens this step
    edit_label: str = ""

    def question(self, t: Translator, draft: Any, **extra: Any) -> str:
        """The question in the reader's language."""
        return t(self.prompt, **self.args(draft), **extra)

    def pick(self, message: Message) -> Input | None:
        """The first message input whose filters all match (steps answered outside the FSM)."""
        return next((accepted for accepted in self.inputs if not accepted.press
                     and all(f.resolve(message) for f in accepted.filters)), None)


@dataclass(frozen=True)
class Wizard:
    """A wizard's rows with the dispatch that reads them."""

    draft: type[Any]
    steps: tuple[Step, ...]
    entries: tuple[tuple[State, str], ...]  # how one gets in, for the graph
    no_back_hint: str | None = None  # said by /kembali at a step without a way back
    review: State | None = None  # where an edit returns to
    edit_buttons: Callable[[tuple[StrEnum, ...]], Any] | None = None  # filter of the rows' `edit`
    by_state: dict[str, Step] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_state", {s.state.state: s for s in self.steps})

    @property
    def states(self) -> tuple[State, ...]:
        """Every state of the wizard, in table order."""
        return tuple(s.state for s in self.steps)

    def step(self, state: str | None) -> Step:
        """The row of a state name as the FSM stores it."""
        return self.by_state[state]  # type: ignore[index]

    @property
    def edit_actions(self) -> tuple[StrEnum, ...]:
        """The review's buttons that open a step."""
        return tuple(s.edit for s in self.steps if s.edit is not None)

    def edit_target(self, action: StrEnum) -> Step:
        """The step a review button opens."""
        return next(s for s in self.steps if s.edit == action)

    async def load(self, state: FSMContext) -> Any:
        """The typed draft out of the FSM storage."""
        return self.draft.from_state_data(await state.get_data())

    async def save(self, state: FSMContext, draft: Draft, app: Any = None) -> Draft:
        """The typed draft back into the FSM storage, stamped with the time when known."""
        if app is not None:
            draft = draft.touched(app.clock())
        await state.set_data(draft.to_state_data())
        return draft

    async def ask(self, message: Message, step: str | None, t: Translator, draft: Any,
                  app: Any) -> None:
        """Show the step's question with its keyboard (entering, re-prompting, resuming)."""
        row = self.step(step)
        if row.show is not None:
            await row.show(message, t, draft, app)
            return
        await message.answer(row.question(t, draft),
                             reply_markup=await row.keyboard(t, draft, app))

    async def go(self, message: Message, state: FSMContext, t: Translator, app: Any,
                 target: State, draft: Draft) -> None:
        """Store the draft, enter the target step and ask its question."""
        draft = await self.save(state, draft, app)
        await state.set_state(target)
        await self.ask(message, target.state, t, draft, app)

    async def advance(self, message: Message, state: FSMContext, t: Translator, app: Any,
                      done: Step, draft: Draft, to: State | None = None) -> None:
        """The input's target, else the next row; while editing, the row's way to the review."""
        following = to or (done.while_editing if draft.editing and done.while_editing
                           else done.next)
        assert following is not None, f"{done.state.state} has no next step"
        if following == self.review:
            draft = draft.entering(following.state, editing=False)
        await self.go(message, state, t, app, following, draft)

    async def back(self, message: Message, state: FSMContext, t: Translator,
                   app: Any = None) -> None:
        """/kembali: the row's back target, or say there is none and ask again."""
        current = self.step(await state.get_state())
        draft = await self.load(state)
        if current.back is None:
            await message.answer(t(self.no_back_hint or current.hint))
            await self.ask(message, current.state.state, t, draft, app)
            return
        draft = draft.entering(current.back.state, editing=False)
        await self.go(message, state, t, app, current.back, draft)

    async def reprompt(self, message: Message, state: FSMContext, t: Translator,
                       app: Any = None) -> None:
        """Anything the step does not take: say what it expects, then ask again."""
        current = self.step(await state.get_state())
        await message.answer(t(current.hint))
        await self.ask(message, current.state.state, t, await self.load(state), app)

    async def edit(self, query: CallbackQuery, callback_data: Any, state: FSMContext,
                   t: Translator, app: Any = None) -> None:
        """A review button opens its row; finishing the row comes back to the review."""
        target = self.edit_target(callback_data.action).state
        draft = (await self.load(state)).entering(target.state, editing=True)
        await query.message.edit_reply_markup(reply_markup=None)
        await self.go(query.message, state, t, app, target, draft)

    def _taker(self, row: Step, accepted: Input) -> Handler:
        """Fold the input into the draft (the take may refuse it), then the next row."""

        async def take(event: Event, state: FSMContext, t: Translator, **data: Any) -> None:
            assert accepted.take is not None
            draft = await accepted.take(event, await self.load(state), t=t, **data)
            if draft is not None:
                message = event.message if isinstance(event, CallbackQuery) else event
                target = accepted.to if isinstance(accepted.to, State) else None
                await self.advance(message, state, t, data.get("app"), row, draft, target)

        return take

    def register(self, router: Router) -> None:
        """Per state its inputs, /kembali anywhere, then the catch-all that re-prompts."""
        anywhere = StateFilter(*self.states)
        router.message.register(self.back, Command("kembali"), anywhere)
        for row in self.steps:
            for accepted in row.inputs:
                handler = accepted.handle or self._taker(row, accepted)
                observer = router.callback_query if accepted.press else router.message
                observer.register(handler, row.state, *accepted.filters)
        if self.review is not None and self.edit_buttons is not None:
            router.callback_query.register(self.edit, self.review,
                                           self.edit_buttons(self.edit_actions))
        router.message.register(self.reprompt, anywhere)

    def mermaid(self) -> str:
        """The graph drawn from the rows (conversations/README.md holds exactly this)."""
        lines = ["stateDiagram-v2"]
        lines += [f"    {END} --> {_name(state)}: {label}" for state, label in self.entries]
        for row in self.steps:
            here = _name(row.state)
            for accepted in row.inputs:
                target = accepted.to or row.next
                if target is not None:
                    lines.append(f"    {here} --> {_name(target)}: {accepted.label}")
            if row.back is not None:
                lines.append(f"    {here} --> {_name(row.back)}: /kembali")
            if row.edit is not None and self.review is not None:
                lines.append(f"    {_name(self.review)} --> {here}: {row.edit_label}")
        return "\n".join(lines)


def _name(state: State | str) -> str:
    """A state's short name in the graph (`[*]` stays as it is)."""
    return state if isinstance(state, str) else state.state.split(":")[-1]
