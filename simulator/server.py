"""A local Telegram Bot API server the real bot talks to over HTTP in end-to-end tests."""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from types import TracebackType
from typing import Self

from aiohttp import web

from simulator.actions import UserActions
from simulator.faults import apply_fault
from simulator.methods.callbacks import CallbackMethods
from simulator.methods.chats import ChatMethods
from simulator.methods.editing import EditingMethods
from simulator.methods.files import FileMethods
from simulator.methods.messages import MessageMethods
from simulator.methods.updates import UpdateMethods
from simulator.state import SimMessage
from simulator.wire import ApiCall, ApiError, read_params

__all__ = ["BotApiSimulator"]

logger = logging.getLogger(__name__)


class BotApiSimulator(
    UserActions,
    MessageMethods,
    EditingMethods,
    CallbackMethods,
    ChatMethods,
    FileMethods,
    UpdateMethods,
):
    """Telegram Bot API look-alike on 127.0.0.1, plus the state tests drive and inspect."""

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; valid once started."""
        if self._base_url is None:
            raise RuntimeError("BotApiSimulator is not started")
        return self._base_url

    def build_app(self) -> web.Application:
        """The aiohttp application serving the Bot API and file downloads."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        return app

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one)."""
        if self._runner is not None:
            return
        self._closing = False
        # access_log=None: request lines contain the bot token, which must never be logged.
        runner = web.AppRunner(
            self.build_app(), access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])
        self._base_url = f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        """Wake long polls and shut the server down."""
        self._closing = True
        self._notify()
        await self._stop_webhook()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        """Start on entry."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop on exit."""
        await self.stop()

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls of one Bot API method (case-insensitive)."""
        lowered = method.lower()
        return [call for call in self.calls if call.method.lower() == lowered]

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        return len(self._updates)

    def chat_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[SimMessage]:
        """All stored messages of a chat by id."""
        return self._state_by_id(chat_id).visible(include_deleted=include_deleted)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Entry point of every Bot API call: auth, parse, faults, dispatch, record."""
        method_name = request.match_info["method"]
        entry = self._methods.get(method_name.lower())
        call = ApiCall(method=entry[0] if entry else method_name, params={}, at=time.time())
        self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            params, files = await read_params(request)
            call.params, call.files = params, files
            if entry is None:
                raise ApiError(404, "Not Found")
            fault = self.faults.take(entry[0], params.get("chat_id"))
            if fault is not None:
                call.fault = fault.kind
                early = await apply_fault(fault, request, call)
                if early is not None:
                    return early
            result = await entry[1](params, files)
            call.status, call.response = 200, copy.deepcopy(result)
            if fault is not None and fault.kind == "timeout":
                await asyncio.sleep(fault.delay)
            return web.json_response({"ok": True, "result": result})
        except ApiError as error:
            call.status, call.response = error.code, error.body()
            return web.json_response(error.body(), status=error.code)
        except Exception:
            logger.exception("simulator failed while handling %s", call.method)
            internal = ApiError(500, "Internal Server Error")
            call.status, call.response = 500, internal.body()
            return web.json_response(internal.body(), status=500)
