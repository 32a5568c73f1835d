"""`lapor-bot`'s command line: help, the demo, the migrations (the plain start is bot/serve.py)."""

from __future__ import annotations

import asyncio
from typing import NoReturn

import typer

from bot.logging_setup import setup_logging
from bot.serve import CONFIG_ERROR, run_bot, settings_or_message, webhook_settings_problem
from configuration.settings import Settings

cli = typer.Typer(add_completion=False, help="LAPOR! Tarakan Telegram bot.")

NO_TOKEN = """\
No BOT_TOKEN is set, so the bot cannot reach Telegram.
To run it for real: open Telegram, talk to @BotFather, send /newbot, and put the token it gives
in the environment or in a .env file:  BOT_TOKEN=123456:ABC...  then run `lapor-bot` again.
Meanwhile, here is the demo: the real bot against the bundled Bot API simulator
(the same as `lapor-bot demo`).
"""


def _settings() -> Settings:
    settings = settings_or_message()
    if isinstance(settings, str):
        _config_error(settings)
    return settings


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
    if webhook and (problem := webhook_settings_problem(settings)):
        _config_error(problem)
    code = run_bot(settings, settings.bot_token.get_secret_value(), webhook=webhook)
    if code:
        raise typer.Exit(code)


def _config_error(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(CONFIG_ERROR)


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
