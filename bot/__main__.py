"""`lapor-bot`: run the bot (long polling), the demo against the simulator, or the migrations."""

from __future__ import annotations

import asyncio
import sys
from typing import NoReturn

import typer

from bot.logging_setup import mask_secrets, setup_logging
from configuration.settings import ConfigError, Settings, load_settings

cli = typer.Typer(add_completion=False, help="LAPOR! Tarakan Telegram bot.")

STARTUP_FAILED = 1  # a configuration error exits with 2

NO_TOKEN = """\
No BOT_TOKEN is set, so the bot cannot reach Telegram.
To run it for real: open Telegram, talk to @BotFather, send /newbot, and put the token it gives
in the environment or in a .env file:  BOT_TOKEN=123456:ABC...  then run `lapor-bot` again.
Meanwhile, here is the demo: the real bot against the bundled Bot API simulator
(the same as `lapor-bot demo`).
"""


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@cli.callback(invoke_without_command=True)
def main_command(
    ctx: typer.Context,
    webhook: bool = typer.Option(
        False, "--webhook",
        help="Receive updates on a webhook (WEBHOOK_URL, WEBHOOK_SECRET) instead of polling."),
) -> None:
    """Run the bot with long polling (the demo when no BOT_TOKEN is set)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings()
    if settings.bot_token is None:
        if webhook:
            _config_error("Configuration error: BOT_TOKEN: must be set for --webhook")
        typer.echo(NO_TOKEN)
        demo()
        return
    if webhook:
        _check_webhook_settings(settings)
    token = settings.bot_token.get_secret_value()
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
        typer.echo(mask_secrets(str(exc), secrets), err=True)
        raise typer.Exit(STARTUP_FAILED) from None


def _config_error(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _check_webhook_settings(settings: Settings) -> None:
    """Webhook mode needs the public address and the secret before anything starts."""
    try:
        settings.webhook_endpoint  # noqa: B018 - raises ConfigError when WEBHOOK_URL is unset
    except ConfigError as exc:
        _config_error(str(exc))
    if settings.webhook_secret is None:
        _config_error("Configuration error: WEBHOOK_SECRET: must be set for --webhook "
                      "(e.g. `openssl rand -hex 32`)")


@cli.command()
def demo() -> None:
    """Start the simulator and the real bot, play a citizen filing a complaint, print it."""
    from bot.demo import run_demo

    setup_logging("WARNING")
    typer.echo(asyncio.run(run_demo()))


@cli.command()
def migrate() -> None:
    """Apply the database migrations (the bot also does this on start)."""
    from db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    typer.echo("database is up to date")


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli())


if __name__ == "__main__":
    main()
