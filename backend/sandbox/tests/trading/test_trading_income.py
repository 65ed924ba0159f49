"""GET /fapi/v1/income: REALIZED_PNL and COMMISSION rows from the account's fills."""

from __future__ import annotations

from decimal import Decimal as D

import doc_examples as ex
from doc_examples import same_shape

BTC, ETH = "BTCUSDT", "ETHUSDT"
DAY = 24 * 3600_000


async def _market(client, symbol: str, side: str, qty: str) -> None:
    await client.ok("POST", "/fapi/v1/order", symbol=symbol, side=side, type="MARKET", quantity=qty)


async def _trade_some(client) -> None:
    """Open, add, flip, close on BTC (with clock steps between), one round trip on ETH."""
    for side, qty in (("BUY", "0.010"), ("BUY", "0.005"), ("SELL", "0.030"), ("BUY", "0.015")):
        await _market(client, BTC, side, qty)
        client.step(7 * 60_000)
    await _market(client, ETH, "SELL", "0.100")
    client.step(11 * 60_000)
    await _market(client, ETH, "BUY", "0.100")


async def test_income_sums_to_the_wallet_change(client):
    await _trade_some(client)
    rows = await client.ok("GET", "/fapi/v1/income", limit=1000)
    assert rows and all(same_shape(r, ex.INCOME_ROW) == [] and list(r) == list(ex.INCOME_ROW) for r in rows)
    pnl = sum(D(r["income"]) for r in rows if r["incomeType"] == "REALIZED_PNL")
    fees = -sum(D(r["income"]) for r in rows if r["incomeType"] == "COMMISSION")
    balance = next(b for b in await client.ok("GET", "/fapi/v2/balance") if b["asset"] == "USDT")
    assert fees > 0 and pnl != 0
    assert pnl - fees == D(balance["balance"]) - D("10000")
    assert all(len(r["income"].split(".")[1]) == 8 and r["asset"] == "USDT" for r in rows)

    # Row by row against the trades the account made (its userTrades).
    trades = (await client.ok("GET", "/fapi/v1/userTrades", symbol=BTC)
              + await client.ok("GET", "/fapi/v1/userTrades", symbol=ETH))
    assert len(trades) == 6
    by_id = {str(t["id"]): t for t in trades}
    commission_rows = [r for r in rows if r["incomeType"] == "COMMISSION"]
    assert sorted(r["tradeId"] for r in commission_rows) == sorted(by_id)
    for r in commission_rows:
        t = by_id[r["tradeId"]]
        assert (D(r["income"]), r["symbol"], r["time"]) == (-D(t["commission"]), t["symbol"], t["time"])
    closing = {i for i, t in by_id.items() if D(t["realizedPnl"])}
    assert len(closing) == 3  # the flip, the final close and the ETH buy-back
    pnl_rows = [r for r in rows if r["incomeType"] == "REALIZED_PNL"]
    assert {r["tradeId"] for r in pnl_rows} == closing
    assert all(D(r["income"]) == D(by_id[r["tradeId"]]["realizedPnl"]) for r in pnl_rows)
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)
    assert len({(r["incomeType"], r["tranId"]) for r in rows}) == len(rows)  # unique per type


async def test_filters_pages_and_time_window(client):
    await _trade_some(client)
    everything = await client.ok("GET", "/fapi/v1/income", limit=1000)
    assert await client.ok("GET", "/fapi/v1/income") == everything  # default limit 100 > 10 rows
    eth = await client.ok("GET", "/fapi/v1/income", symbol=ETH)
    assert eth == [r for r in everything if r["symbol"] == ETH] and len(eth) == 3
    fees = await client.ok("GET", "/fapi/v1/income", incomeType="COMMISSION")
    assert fees == [r for r in everything if r["incomeType"] == "COMMISSION"] and len(fees) == 6
    assert await client.ok("GET", "/fapi/v1/income", incomeType="FUNDING_FEE") == []
    pages = [await client.ok("GET", "/fapi/v1/income", limit=4, page=n) for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [4, 4, 1, 0] and sum(pages, []) == everything
    assert await client.ok("GET", "/fapi/v1/income", limit=4) == pages[0]

    first, last = everything[0]["time"], everything[-1]["time"]
    assert await client.ok("GET", "/fapi/v1/income", startTime=first, endTime=last) == everything  # inclusive
    later = await client.ok("GET", "/fapi/v1/income", startTime=first + 1)
    assert later == [r for r in everything if r["time"] > first]
    assert await client.ok("GET", "/fapi/v1/income", endTime=first) == [r for r in everything if r["time"] == first]

    client.step(8 * DAY)  # neither time sent: the last 7 days only
    assert await client.ok("GET", "/fapi/v1/income") == []
    assert await client.ok("GET", "/fapi/v1/income", startTime=first, limit=1000) == everything


async def test_bad_input_and_weight(client):
    assert await client.ok("GET", "/fapi/v1/income") == []  # a fresh account
    assert await client.error("GET", "/fapi/v1/income", incomeType="BONUS") == -1130
    assert await client.error("GET", "/fapi/v1/income", limit=1001) == -1130
    assert await client.error("GET", "/fapi/v1/income", limit=0) == -1130
    assert await client.error("GET", "/fapi/v1/income", page=0) == -1130
    assert await client.error("GET", "/fapi/v1/income", page="x") == -1100
    assert await client.error("GET", "/fapi/v1/income", symbol="NOPEUSDT") == -1121
    assert await client.error("GET", "/fapi/v1/income", startTime=2, endTime=1) == -1023
    client.app["limiters"]["usdm"].reset()
    status, headers, _ = await client.call("GET", "/fapi/v1/income")
    assert status == 200 and headers["X-MBX-USED-WEIGHT-1M"] == "30"
