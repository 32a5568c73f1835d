"""The long-running `lapor-bot` (polling or --webhook) without the command-line library.

Typer and Click stay in memory for as long as the process runs once imported, so the plain
start (`lapor-bot`, `lapor-bot --webhook`) is served from here; bot/cli.py parses everything
else (help, demo, migrate) and calls the same functions.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from bot.logging_setup import mask_secrets, setup_logging
from configuration.settings import ConfigError, Settings, load_settings

STARTUP_FAILED = 1
CONFIG_ERROR = 2


def settings_or_message() -> Settings | str:
    """The settings, or the one line that says what is wrong with them."""
    try:
        return load_settings()
    except ConfigError as exc:
        return str(exc)


def webhook_settings_problem(settings: Settings) -> str | None:
    """Webhook mode needs the public address and the secret before anything starts."""
    try:
        settings.webhook_endpoint  # noqa: B018 - raises ConfigError when WEBHOOK_URL is unset
    except ConfigError as exc:
        return str(exc)
    if settings.webhook_secret is None:
        return ("Configuration error: WEBHOOK_SECRET: must be set for --webhook "
                "(e.g. `openssl rand -hex 32`)")
    return None


def run_bot(settings: Settings, token: str, *, webhook: bool) -> int:
    """Run until stopped; the exit code (a start-up failure prints one line to stderr)."""
    secrets = (token, settings.webhook_secret.get_secret_value() if settings.webhook_secret
               else "")
    setup_logging(settings.log_level, *secrets)
    from bot.app import application, run_application
    from bot.startup import StartupError

    async def _run() -> None:
        async with application(settings, token, webhook=webhook) as app:
            await run_application(app)

    try:
        asyncio.run(_run())
    except StartupError as exc:
        print(mask_secrets(str(exc), secrets), file=sys.stderr)
        return STARTUP_FAILED
    return 0


def _stop_while_starting(_signum: int, _frame: object) -> None:
    """SIGTERM before the bot listens for it (systemd stopping a starting unit): nothing was
    handled yet, so stop cleanly instead of dying by the signal. Once running, the event
    loop's own handler replaces this one and lets in-flight handlers finish."""
    raise SystemExit(0)


def serve(*, webhook: bool) -> int | None:
    """`lapor-bot [--webhook]` with a token; None when there is none (the CLI runs the demo)."""
    signal.signal(signal.SIGTERM, _stop_while_starting)  # from the first line on
    settings = settings_or_message()
    if isinstance(settings, str):
        print(settings, file=sys.stderr)
        return CONFIG_ERROR
    if settings.bot_token is None:
        return None
    if webhook and (problem := webhook_settings_problem(settings)):
        print(problem, file=sys.stderr)
        return CONFIG_ERROR
    return run_bot(settings, settings.bot_token.get_secret_value(), webhook=webhook)
