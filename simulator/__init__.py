"""Local Telegram Bot API simulator for end-to-end tests and demos of the real bot."""

from simulator.faults import FaultInjector
from simulator.server import BotApiSimulator
from simulator.state import SimMessage
from simulator.users import SimGroup, SimUser
from simulator.wire import ApiCall, ApiError

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiSimulator",
    "FaultInjector",
    "SimGroup",
    "SimMessage",
    "SimUser",
]
