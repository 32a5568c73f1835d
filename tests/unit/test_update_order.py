"""Which updates wait for which: one chat's in order; in a group, one member's in order."""

from __future__ import annotations

from bot.polling import chat_key

GROUP = -4100000001


def press(chat: int, user: int) -> dict[str, object]:
    return {"update_id": 1, "callback_query": {
        "id": "q", "from": {"id": user}, "data": "x",
        "message": {"message_id": 5, "chat": {"id": chat}}}}


def message(chat: int, user: int) -> dict[str, object]:
    return {"update_id": 2, "message": {"message_id": 6, "chat": {"id": chat},
                                        "from": {"id": user}, "text": "hi"}}


def test_a_colleagues_press_in_the_group_does_not_wait_for_another_members() -> None:
    assert chat_key(press(GROUP, 11)) != chat_key(press(GROUP, 12))
    # one member's press and their reply to the bot's question stay in order
    assert chat_key(press(GROUP, 11)) == chat_key(message(GROUP, 11))


def test_a_citizens_private_chat_is_one_queue() -> None:
    assert chat_key(press(700, 700)) == chat_key(message(700, 700)) == "700"


def test_a_groups_membership_changes_stay_in_the_groups_own_order() -> None:
    update = {"update_id": 3, "my_chat_member": {"chat": {"id": GROUP}, "from": {"id": 11}}}
    assert chat_key(update) == str(GROUP)
