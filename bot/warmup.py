"""Keep aiogram's parametrised response models alive.

aiogram builds `Response[ReturnType]` for every Bot API answer; pydantic caches parametrised
generic models only weakly, so once the garbage collector drops one, the next answer rebuilds
its whole schema (milliseconds each time). Measured as the largest single CPU cost per update
under load; holding one strong reference per return type removes it.
"""

from __future__ import annotations

import inspect
from typing import Any

import aiogram.methods
from aiogram.methods.base import Response, TelegramMethod

_KEEP: list[Any] = []


def keep_response_models() -> int:
    """Build Response[T] once for every Bot API method's return type; returns how many."""
    if _KEEP:
        return len(_KEEP)
    returning = {
        getattr(method, "__returning__", None)
        for _, method in inspect.getmembers(aiogram.methods, inspect.isclass)
        if issubclass(method, TelegramMethod) and method is not TelegramMethod
    }
    _KEEP.extend(Response[r] for r in returning if r is not None)  # type: ignore[valid-type]
    return len(_KEEP)
