"""`lapor-bot`: run the bot (long polling), the demo against the simulator, or the migrations."""

from __future__ import annotations

import sys

from bot.serve import serve


def main() -> None:
    """Console-script entry point: the plain start needs no command-line library in memory."""
    arguments = sys.argv[1:]
    if arguments in ([], ["--webhook"]):
        try:
            code = serve(webhook=bool(arguments))
        except KeyboardInterrupt:  # Ctrl-C before the bot listens for it: as Click ends
            print("\nAborted!", file=sys.stderr)
            sys.exit(1)
        if code is not None:
            sys.exit(code)
    from bot.cli import cli  # help, demo, migrate, and the start without a token (the demo)

    sys.exit(cli())


if __name__ == "__main__":
    main()
