"""Wait until a health URL answers 200 (every part ok); print the last answer otherwise."""
import argparse
import json
import sys
import time
import urllib.error
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("url")
parser.add_argument("--timeout", type=float, default=60)
args = parser.parse_args()

deadline = time.monotonic() + args.timeout
last = "no answer"
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(args.url, timeout=5) as response:
            print(f"healthy: {response.read().decode()}")
            sys.exit(0)
    except urllib.error.HTTPError as exc:
        last = f"{exc.code} {exc.read().decode()[:500]}"
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        last = str(exc)
    time.sleep(0.5)
print(f"not healthy after {args.timeout:.0f} s: {last}", file=sys.stderr)
sys.exit(1)
