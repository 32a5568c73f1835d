## Staff chats the bot cannot reach, and outbox rows that failed (handlers/delivery.py)

chat-unreachable =
    ⚠️ The bot cannot send to { $chat } (<code>{ $chat_id }</code>): { $reason }
    Waiting for that chat: { $count } message(s){ $codes }
    Add the bot back to that group, or bind another group (lapor-admin chat link-code / bind); what waits is delivered then.
chat-back = ✅ { $chat } (<code>{ $chat_id }</code>) can be reached again; { $count } waiting message(s) are being sent.
chat-codes = : { $codes }
delivery-trouble =
    ⚠️ Messages to chat <code>{ $chat_id }</code> were not delivered: { $count } failed or undeliverable{ $codes }
    Last error: { $error }
    See and retry them with: lapor-admin outbox
queue-unreachable = ⚠️ <b>Chats that cannot be reached</b>
queue-unreachable-line = • { $chat } (<code>{ $chat_id }</code>) since { $since }: { $count } message(s) waiting{ $codes }
chat-label-admin = the complaint admin group
chat-label-coordinator = the coordinator group
chat-label-opd = the agency group of { $agency }
chat-removed-by = the bot was removed from the group (status { $status }) by { $by }
card-sending = ⏳ Report <code>{ $code }</code>: its card is on its way…
chat-restricted-by = the bot's right to send messages was taken away by { $by }
