"""Per-update context: the citizen record and a translator in the citizen's language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from complaints import services
from presentation.context import AppContext
from presentation.texts import Translator, pick_language


class CitizenContextMiddleware(BaseMiddleware):
    """Loads (or creates on first contact) the citizen and picks the language for replies."""

    async def __call__(
        self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject, data: dict[str, Any],
    ) -> Any:
        app: AppContext = data["app"]
        user: User | None = data.get("event_from_user")
        chat = data.get("event_chat")
        citizen = None
        language = app.settings.default_language
        if user is not None and not user.is_bot:
            if chat is not None and chat.type == "private":
                citizen = await app.citizen(user.id)
                if citizen is None:
                    guessed = pick_language(user.language_code, language)
                    citizen = await services.ensure_citizen(app.uow(), user.id, guessed,
                                                            app.clock())
                    app.remember(citizen)
                language = citizen.language
            # staff groups read the service's default language
        data["citizen"] = citizen
        data["t"] = Translator(language, app.settings.zone)
        return await handler(event, data)
