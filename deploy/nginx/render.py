"""Fill deploy/nginx/platform.conf: listen address, Daphne upstreams, paths. Prints the config.

    python deploy/nginx/render.py --listen 8080 --web 127.0.0.1:8001 --web 127.0.0.1:8002 \
        --prefix /srv/platform/nginx [--client-dist client/dist] [--foreground]

Only the ${NAME}s below are replaced (string.Template.safe_substitute); nginx's $variables stay.
The prefix gets the temp directories nginx writes to, so it runs without root.
"""
from __future__ import annotations

import argparse
import string
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def render(*, listen: str, web: list[str], prefix: Path, client_dist: Path, foreground: bool = False) -> str:
    if not web:
        raise ValueError("at least one --web host:port")
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / name).mkdir(parents=True, exist_ok=True)
    upstreams = "\n".join(f"        server {address} max_fails=1 fail_timeout=10s;" for address in web)
    template = string.Template((HERE / "platform.conf").read_text())
    return template.safe_substitute(LISTEN=listen, UPSTREAMS=upstreams, PREFIX=str(prefix.resolve()),
                                    CLIENT_DIST=str(client_dist.resolve()), DAEMON="off" if foreground else "on")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", default="8080", help="nginx's listen address (port, or host:port)")
    parser.add_argument("--web", action="append", default=[], help="a Daphne instance, host:port (repeat)")
    parser.add_argument("--prefix", type=Path, default=ROOT / ".data" / "nginx", help="pid, logs, temp files")
    parser.add_argument("--client-dist", type=Path, default=ROOT / "client" / "dist")
    parser.add_argument("--foreground", action="store_true", help="daemon off (under a supervisor)")
    args = parser.parse_args()
    print(render(listen=args.listen, web=args.web, prefix=args.prefix, client_dist=args.client_dist,
                 foreground=args.foreground))


if __name__ == "__main__":
    main()
