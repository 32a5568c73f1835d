"""Local Telegram Bot API simulator for end-to-end tests and demos of the real bot."""

from simulator.client import SimGroup, SimMessage, SimUser
from simulator.server import ApiCall, ApiError, BotApiSimulator, FaultInjector

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiSimulator",
    "FaultInjector",
    "SimGroup",
    "SimMessage",
    "SimUser",
]
