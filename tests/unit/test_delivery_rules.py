"""Staff chats that cannot be reached: which errors mean it, marked once, unmarked on re-binding."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from complaints import admin, delivery
from complaints.model import ChatPurpose
from tests.fakes import FakeDatabase

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
PUPR_GROUP, NEW_PUPR_GROUP = -1001, -1002


@pytest.mark.parametrize(("answer", "unreachable"), [
    ("Bad Request: chat not found", True),
    ("Bad Request: not enough rights to send text messages to the chat", True),
    ("Forbidden: bot was kicked from the group chat", True),
    ("Bad Request: can't parse entities: unexpected end tag", False),
    ("Bad Request: message is too long", False),
])
def test_only_errors_about_the_chat_itself_make_it_unreachable(answer: str,
                                                               unreachable: bool) -> None:
    assert delivery.unreachable_error(answer) is unreachable


async def test_a_lost_chat_is_marked_once_and_rebinding_its_purpose_clears_it() -> None:
    db = FakeDatabase()
    assert await delivery.chat_lost(db.uow(), PUPR_GROUP, "kicked", NOW) is None  # not bound
    await admin.bind_chat(db.uow(), PUPR_GROUP, ChatPurpose.OPD, "PUPR", NOW)
    lost = await delivery.chat_lost(db.uow(), PUPR_GROUP, "kicked", NOW)
    assert lost is not None and (lost.purpose, lost.agency_code) == (ChatPurpose.OPD, "PUPR")
    assert await delivery.chat_lost(db.uow(), PUPR_GROUP, "kicked again", NOW) is None
    assert [c.chat_id for c in await delivery.unreachable_chats(db.uow())] == [PUPR_GROUP]
    await admin.bind_chat(db.uow(), NEW_PUPR_GROUP, ChatPurpose.OPD, "PUPR", NOW)
    assert await delivery.unreachable_chats(db.uow()) == []


async def test_a_chat_that_is_back_is_unmarked() -> None:
    db = FakeDatabase()
    await admin.bind_chat(db.uow(), PUPR_GROUP, ChatPurpose.OPD, "PUPR", NOW)
    assert await delivery.chat_back(db.uow(), PUPR_GROUP, NOW) is None  # was never lost
    await delivery.chat_lost(db.uow(), PUPR_GROUP, "kicked", NOW)
    assert await delivery.chat_back(db.uow(), PUPR_GROUP, NOW) == 0
    assert await delivery.unreachable_chats(db.uow()) == []
