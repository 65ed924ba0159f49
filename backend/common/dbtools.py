"""Small database chores for test scripts (no Django import).

    python -m common.dbtools fresh-database URL --suffix _e2e   # drop+create URL's db + suffix, print its URL
    python -m common.dbtools flush-redis URL                    # empty one Redis database
"""
from __future__ import annotations

import argparse
import sys
from urllib.parse import urlsplit, urlunsplit


def fresh_database(url: str, suffix: str) -> str:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    admin = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.dbtools")
    sub = parser.add_subparsers(dest="command", required=True)
    fresh = sub.add_parser("fresh-database")
    fresh.add_argument("url")
    fresh.add_argument("--suffix", required=True)
    flush = sub.add_parser("flush-redis")
    flush.add_argument("url")
    args = parser.parse_args(argv)
    if args.command == "fresh-database":
        print(fresh_database(args.url, args.suffix))
    else:
        flush_redis(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
