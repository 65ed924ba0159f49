"""``python -m sandbox [flags]`` runs the server; ``python -m sandbox keys ...`` manages API keys."""
from __future__ import annotations

import logging
import sys

from aiohttp import web


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["keys"]:
        from . import keys

        return keys.main(argv[1:])
    from .app import create_app
    from .config import from_args

    config = from_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(config)
    market = app["market"]
    logging.getLogger("sandbox").info(
        "sandbox on http://%s:%d: %d symbols, clock %d ms at speed %s", config.host, config.port,
        len(market.symbols()), market.now_ms(), config.speed)
    web.run_app(app, host=config.host, port=config.port, handler_cancellation=True,
                access_log=logging.getLogger("aiohttp.access") if config.access_log else None,
                print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
