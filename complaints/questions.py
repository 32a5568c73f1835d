"""Questions put to one staff member by ForceReply (a reason, a proof), open until answered.

They are stored, so an officer can answer after a restart just as a citizen can go on with a
wizard; a question asked twice (in the group and in the officer's private chat) is one question.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from complaints.clock import Clock, utc_now
from complaints.model import PendingInput
from complaints.ports import UnitOfWork


class PendingInputs:
    """Use cases around open staff questions; each call is one transaction."""

    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock = utc_now) -> None:
        self._uow = uow
        self._clock = clock

    async def create(self, *, chat_id: int, prompt_message_id: int, user_id: int,
                     report_id: int, version: int, action: str) -> int:
        """Record a question just asked (by its message), before any reply can be matched."""
        async with self._uow() as uow:
            input_id = await uow.pending_inputs.add(
                chat_id=chat_id, prompt_message_id=prompt_message_id, user_id=user_id,
                report_id=report_id, version=version, action=action, now=self._clock())
            await uow.commit()
        return input_id

    async def set_data(self, input_id: int, data: dict[str, Any]) -> None:
        """What the officer gave so far (photos, note), kept for the next reply."""
        async with self._uow() as uow:
            await uow.pending_inputs.set_data(input_id, data)
            await uow.commit()

    async def by_prompt(self, chat_id: int, message_id: int) -> PendingInput | None:
        """The question a reply answers, found by the prompt message it replies to."""
        async with self._uow() as uow:
            return await uow.pending_inputs.by_prompt(chat_id, message_id)

    async def get(self, input_id: int) -> PendingInput | None:
        """One question by id (from a button on it)."""
        async with self._uow() as uow:
            return await uow.pending_inputs.get(input_id)

    async def drop_question(self, pending: PendingInput) -> None:
        """Answered or cancelled: the same question asked elsewhere (group, private) goes too."""
        async with self._uow() as uow:
            await uow.pending_inputs.drop(pending.report_id, pending.user_id, pending.action)
            await uow.commit()
