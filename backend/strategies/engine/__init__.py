"""The strategy execution engine (`manage.py run_strategies`).

| module | what it is |
|---|---|
| `windows.py` | candle windows per (symbol, timeframe), seeded once from the candle store, appended from the stream; immutable arrays, so worker threads read them while the loop appends. No Django. |
| `loop.py` | the asyncio run loop: one task and queue per running strategy, dispatch of each closed candle to the runs that want it, ack once every run handled it. No Django. |
| `handling.py` | one candle of one run: context, evaluation, the transaction (decisions, orders PENDING, logs, variables, the handled candle), then the orders sent. Django. |
| `process.py` | the Redis consumer group and the process around the loop. |
| `crashpoints.py` | kill -9 points for the restart tests. |
"""
