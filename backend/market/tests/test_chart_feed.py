"""ChartFeed: the latest forming candle per chart, closed candles never merged away."""
from market.binance.schemas import Candle, KlineUpdate
from market.chart_feed import KEEP, ChartFeed, chart_group


def _update(symbol: str, open_time: int, close: str, *, closed: bool = False, interval: str = "5m") -> KlineUpdate:
    candle = Candle(symbol, interval, open_time, open_time + 299_999, "10", "12", "9", close, "1", "10", 1, "0", "0")
    return KlineUpdate(candle, closed, open_time + 1000)


async def test_one_push_sends_the_closed_candles_then_the_newest_forming_one():
    sent: list[tuple[str, dict]] = []

    async def send(group, frame):
        sent.append((group, frame))

    feed = ChartFeed(send)
    feed.on_update(_update("BTCUSDT", 0, "10.5"))
    feed.on_update(_update("BTCUSDT", 0, "11"))  # the same candle further along: replaces
    feed.on_update(_update("BTCUSDT", 0, "11.5", closed=True))  # now closed: replaces
    feed.on_update(_update("BTCUSDT", 300_000, "11.6"))  # the next one forms
    feed.on_update(_update("BTCUSDT", 300_000, "11.7"))
    feed.on_update(_update("BTCUSDT", 0, "11.5", closed=True))  # a late repeat of an older candle: ignored
    feed.on_update(_update("ETHUSDT", 0, "10.1", interval="15m"))
    await feed.push()
    assert [(g, f["data"]["t"], f["data"]["c"], f["data"]["closed"]) for g, f in sent] == [
        ("chart.BTCUSDT.5m", 0, 11.5, True), ("chart.BTCUSDT.5m", 300_000, 11.7, False),
        ("chart.ETHUSDT.15m", 0, 10.1, False)]
    assert all(f["type"] == "kline" for _, f in sent)
    sent.clear()
    await feed.push()
    assert sent == []  # nothing new, nothing sent


async def test_a_chart_holds_at_most_keep_frames_between_pushes_and_a_failed_send_is_dropped():
    calls = []

    async def send(group, frame):
        calls.append(frame["data"]["t"])
        raise ConnectionError("redis away")

    feed = ChartFeed(send)
    for i in range(KEEP + 5):
        feed.on_update(_update("BTCUSDT", i * 300_000, "11", closed=True))
    await feed.push()
    assert calls == [5 * 300_000]  # the oldest kept frame was tried; the push gave up on the error
    assert chart_group("BTCUSDT", "5m") == "chart.BTCUSDT.5m"
