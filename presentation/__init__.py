"""The Telegram kit: texts, callback data, keyboards, cards and notices, media, chat scopes."""
