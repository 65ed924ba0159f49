"""Writing a close's signal events: N created, then N updated, then N closed, each set as one batch.

    DJANGO_DEBUG=true DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/bench_signal_writes.py [--markets 300] [--repeat 3]

What a candle close costs the live signal path once the engine has spoken: `signal_events_apply`
inside the dispatcher's `batched()` (rows, history, outcomes, payloads, the Redis publish), on a
fresh database (`<name>_bench`). The events are built with the lifecycle's own functions
(signals/tests/factories.py), one market per symbol. Printed: per kind, the best of --repeat in
ms per batch and per event.
"""
from __future__ import annotations

import argparse
import time

from _stack import django_setup, fresh_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--markets", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    fresh_database()
    django_setup()
    from realtime.dispatcher import batched
    from signals.lifecycle import Trigger
    from signals.models import Signal
    from signals.services.persistence import signal_events_apply
    from signals.tests import factories

    best: dict[str, float] = {}
    for round_ in range(args.repeat):
        open_time = factories.T0 + round_ * 3_600_000
        made = [factories.created(symbol=f"B{n:04d}USDT", open_time=open_time) for n in range(args.markets)]
        updated = [factories.updated(signal, confidence=90.0) for signal, _ in made]
        closed = [factories.closed(signal, Trigger.HIT_TP) for signal, _ in updated]
        for kind, pairs in (("created", made), ("updated", updated), ("closed", closed)):
            events = [event for _, event in pairs]
            started = time.perf_counter()
            with batched():
                applied = signal_events_apply(events=events)
            elapsed = time.perf_counter() - started
            assert len(getattr(applied, kind)) == args.markets, (kind, applied)
            best[kind] = min(best.get(kind, elapsed), elapsed)
    assert Signal.objects.filter(status="tp_hit").count() == args.markets * args.repeat
    for kind, seconds in best.items():
        print(f"{args.markets} {kind:<8} events: {seconds * 1000:8.0f} ms a batch, "
              f"{seconds * 1000 / args.markets:6.2f} ms an event (best of {args.repeat})")


if __name__ == "__main__":
    main()
