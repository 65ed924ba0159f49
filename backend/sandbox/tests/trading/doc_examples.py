"""Binance's own examples, copied from docs/usdm_futures (endpoint pages, user data stream events)
and from recorded payloads (rest/fapi_v1_batchOrders_response_*.json, nautilus_trader fixtures),
with the docs' comments removed. The HTTP tests compare the sandbox's answers against them: the
same keys and the same JSON types.

Keys the docs mark "only return with TRAILING_STOP_MARKET order" (activatePrice, priceRate, AP, cr)
are listed in TRAILING_ONLY and compared only for trailing orders.
"""

TRAILING_ONLY = {"activatePrice", "priceRate", "AP", "cr"}

# POST /fapi/v1/order: the recorded real answer (a LIMIT order, NEW).
NEW_ORDER = {
    "orderId": 4087922044, "symbol": "BTCUSDT", "status": "NEW",
    "clientOrderId": "x-xcKtGhcu04075babaeb34c55af79ba", "price": "110001.00", "avgPrice": "0.00",
    "origQty": "0.200", "executedQty": "0.000", "cumQty": "0.000", "cumQuote": "0.00000",
    "timeInForce": "GTC", "type": "LIMIT", "reduceOnly": False, "closePosition": False, "side": "SELL",
    "positionSide": "BOTH", "stopPrice": "0.00", "workingType": "CONTRACT_PRICE", "priceProtect": False,
    "origType": "LIMIT", "priceMatch": "NONE", "selfTradePreventionMode": "NONE", "goodTillDate": 0,
    "updateTime": 1739781831932,
}

# POST /fapi/v1/order docs example (a trailing stop).
NEW_ORDER_DOC = {
    "clientOrderId": "testOrder", "cumQty": "0", "cumQuote": "0", "executedQty": "0", "orderId": 22542179,
    "avgPrice": "0.00000", "origQty": "10", "price": "0", "reduceOnly": False, "side": "BUY",
    "positionSide": "SHORT", "status": "NEW", "stopPrice": "9300", "closePosition": False,
    "symbol": "BTCUSDT", "timeInForce": "GTD", "type": "TRAILING_STOP_MARKET",
    "origType": "TRAILING_STOP_MARKET", "activatePrice": "9020", "priceRate": "0.3",
    "updateTime": 1566818724722, "workingType": "CONTRACT_PRICE", "priceProtect": False,
    "priceMatch": "NONE", "selfTradePreventionMode": "NONE", "goodTillDate": 1693207680000,
}

# DELETE /fapi/v1/order docs example.
CANCEL_ORDER = {
    "clientOrderId": "myOrder1", "cumQty": "0", "cumQuote": "0", "executedQty": "0", "orderId": 283194212,
    "origQty": "11", "origType": "TRAILING_STOP_MARKET", "price": "0", "reduceOnly": False, "side": "BUY",
    "positionSide": "SHORT", "status": "CANCELED", "stopPrice": "9300", "closePosition": False,
    "symbol": "BTCUSDT", "timeInForce": "GTC", "type": "TRAILING_STOP_MARKET", "activatePrice": "9020",
    "priceRate": "0.3", "updateTime": 1571110484038, "workingType": "CONTRACT_PRICE", "priceProtect": False,
    "priceMatch": "NONE", "selfTradePreventionMode": "NONE", "goodTillDate": 1693207680000,
}

# GET /fapi/v1/order and each item of GET /fapi/v1/openOrders (docs examples are identical).
QUERY_ORDER = {
    "avgPrice": "0.00000", "clientOrderId": "abc", "cumQuote": "0", "executedQty": "0", "orderId": 1917641,
    "origQty": "0.40", "origType": "TRAILING_STOP_MARKET", "price": "0", "reduceOnly": False, "side": "BUY",
    "positionSide": "SHORT", "status": "NEW", "stopPrice": "9300", "closePosition": False,
    "symbol": "BTCUSDT", "time": 1579276756075, "timeInForce": "GTC", "type": "TRAILING_STOP_MARKET",
    "activatePrice": "9020", "priceRate": "0.3", "updateTime": 1579276756075, "workingType": "CONTRACT_PRICE",
    "priceProtect": False, "priceMatch": "NONE", "selfTradePreventionMode": "NONE", "goodTillDate": 0,
}

POSITION_RISK_V2 = {
    "symbol": "BTCUSDT", "positionAmt": "0.001", "entryPrice": "22185.2", "breakEvenPrice": "0.0",
    "markPrice": "21123.05052574", "unRealizedProfit": "-1.06214947", "liquidationPrice": "19731.45529116",
    "leverage": "4", "maxNotionalValue": "100000000", "marginType": "cross", "isolatedMargin": "0.00000000",
    "isAutoAddMargin": "false", "positionSide": "LONG", "notional": "21.12305052", "isolatedWallet": "0",
    "updateTime": 1655217461579,
}

POSITION_RISK_V3 = {
    "symbol": "ADAUSDT", "positionSide": "BOTH", "positionAmt": "30", "entryPrice": "0.385",
    "breakEvenPrice": "0.385077", "markPrice": "0.41047590", "unRealizedProfit": "0.76427700",
    "liquidationPrice": "0", "isolatedMargin": "0", "notional": "12.31427700", "marginAsset": "USDT",
    "isolatedWallet": "0", "initialMargin": "0.61571385", "maintMargin": "0.08004280",
    "positionInitialMargin": "0.61571385", "openOrderInitialMargin": "0", "adl": 2, "bidNotional": "0",
    "askNotional": "0", "updateTime": 1720736417660,
}

_ACCOUNT_TOTALS = {
    "totalInitialMargin": "0.00000000", "totalMaintMargin": "0.00000000", "totalWalletBalance": "23.72469206",
    "totalUnrealizedProfit": "0.00000000", "totalMarginBalance": "23.72469206",
    "totalPositionInitialMargin": "0.00000000", "totalOpenOrderInitialMargin": "0.00000000",
    "totalCrossWalletBalance": "23.72469206", "totalCrossUnPnl": "0.00000000",
    "availableBalance": "23.72469206", "maxWithdrawAmount": "23.72469206",
}

_ASSET_V3 = {
    "asset": "USDT", "walletBalance": "23.72469206", "unrealizedProfit": "0.00000000",
    "marginBalance": "23.72469206", "maintMargin": "0.00000000", "initialMargin": "0.00000000",
    "positionInitialMargin": "0.00000000", "openOrderInitialMargin": "0.00000000",
    "crossWalletBalance": "23.72469206", "crossUnPnl": "0.00000000", "availableBalance": "23.72469206",
    "maxWithdrawAmount": "23.72469206", "updateTime": 1625474304765,
}

ACCOUNT_V2 = {
    "feeTier": 0, "feeBurn": True, "canTrade": True, "canDeposit": True, "canWithdraw": True, "updateTime": 0,
    "multiAssetsMargin": False, "tradeGroupId": -1, **_ACCOUNT_TOTALS,
    "assets": [{**_ASSET_V3, "marginAvailable": True}],
    "positions": [{
        "symbol": "BTCUSDT", "initialMargin": "0", "maintMargin": "0", "unrealizedProfit": "0.00000000",
        "positionInitialMargin": "0", "openOrderInitialMargin": "0", "leverage": "100", "isolated": True,
        "entryPrice": "0.00000", "maxNotional": "250000", "bidNotional": "0", "askNotional": "0",
        "positionSide": "BOTH", "positionAmt": "0", "updateTime": 0,
    }],
}
# ccxt's record of a live v2 answer adds breakEvenPrice to each position.
ACCOUNT_V2_POSITION_EXTRA = {"breakEvenPrice"}

ACCOUNT_V3 = {
    **_ACCOUNT_TOTALS,
    "assets": [_ASSET_V3],
    "positions": [{
        "symbol": "BTCUSDT", "positionSide": "BOTH", "positionAmt": "1.000", "unrealizedProfit": "0.00000000",
        "isolatedMargin": "0.00000000", "notional": "0", "isolatedWallet": "0", "initialMargin": "0",
        "maintMargin": "0", "updateTime": 0,
    }],
}

BALANCE_V2 = {
    "accountAlias": "SgsR", "asset": "USDT", "balance": "122607.35137903", "crossWalletBalance": "23.72469206",
    "crossUnPnl": "0.00000000", "availableBalance": "23.72469206", "maxWithdrawAmount": "23.72469206",
    "marginAvailable": True, "updateTime": 1617939110373,
}

# GET /fapi/v1/userTrades: a recorded answer (nautilus fixture http_futures_account_trades.json).
USER_TRADE = {
    "symbol": "ETHUSDT", "id": 82357629, "orderId": 831238690, "side": "BUY", "price": "2779",
    "qty": "0.005", "realizedPnl": "-0.00325000", "marginAsset": "USDT", "quoteQty": "13.89500",
    "commission": "0.00555800", "commissionAsset": "USDT", "time": 1645930333910, "positionSide": "BOTH",
    "buyer": True, "maker": False,
}

POSITION_MODE = {"dualSidePosition": True}
CODE_200 = {"code": 200, "msg": "success"}
CANCEL_ALL = {"code": 200, "msg": "The operation of cancel all open order is done."}
LEVERAGE = {"leverage": 21, "maxNotionalValue": "1000000", "symbol": "BTCUSDT"}
LISTEN_KEY = {"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"}
LEVERAGE_BRACKET = {
    "symbol": "ETHUSDT",
    "brackets": [{"bracket": 1, "initialLeverage": 75, "notionalCap": 10000, "notionalFloor": 0,
                  "maintMarginRatio": 0.0065, "cum": 0.0}],
}

ORDER_TRADE_UPDATE = {
    "e": "ORDER_TRADE_UPDATE", "E": 1568879465651, "T": 1568879465650,
    "o": {
        "s": "BTCUSDT", "c": "TEST", "S": "SELL", "o": "TRAILING_STOP_MARKET", "f": "GTC", "q": "0.001",
        "p": "0", "ap": "0", "sp": "7103.04", "x": "NEW", "X": "NEW", "i": 8886774, "l": "0", "z": "0",
        "L": "0", "N": "USDT", "n": "0", "T": 1568879465650, "t": 0, "b": "0", "a": "9.91", "m": False,
        "R": False, "wt": "CONTRACT_PRICE", "ot": "TRAILING_STOP_MARKET", "ps": "LONG", "cp": False,
        "AP": "7476.89", "cr": "5.0", "pP": False, "si": 0, "ss": 0, "rp": "0", "V": "EXPIRE_TAKER",
        "pm": "OPPONENT", "gtd": 0, "er": "0",
    },
}
# "N" and "n": "will not push if no commission" (docs, STP FAQ example).
COMMISSION_ONLY = {"N", "n"}

ACCOUNT_UPDATE = {
    "e": "ACCOUNT_UPDATE", "E": 1564745798939, "T": 1564745798938,
    "a": {
        "m": "ORDER",
        "B": [{"a": "USDT", "wb": "122624.12345678", "cw": "100.12345678", "bc": "50.12345678"}],
        "P": [{"s": "BTCUSDT", "pa": "0", "ep": "0.00000", "bep": "0", "cr": "200", "up": "0",
               "mt": "isolated", "iw": "0.00000000", "ps": "BOTH"}],
    },
}

TRADE_LITE = {
    "e": "TRADE_LITE", "E": 1721895408092, "T": 1721895408214, "s": "BTCUSDT", "q": "0.001", "p": "0",
    "m": False, "c": "z8hcUoOsqEdKMeKPSABslD", "S": "BUY", "L": "64089.20", "l": "0.040", "t": 109100866,
    "i": 8886774,
}

LISTEN_KEY_EXPIRED = {
    "e": "listenKeyExpired", "E": "1736996475556",
    "listenKey": "WsCMN0a4KHUPTQuX6IUnqEZfB1inxmv1qR4kbf1LuEjur5VdbzqvyxqG9TSjVVxv",
}

ACCOUNT_CONFIG_UPDATE = {"e": "ACCOUNT_CONFIG_UPDATE", "E": 1611646737479, "T": 1611646737476,
                         "ac": {"s": "BTCUSDT", "l": 25}}


def same_shape(actual, example, *, ignore: frozenset = frozenset(), path: str = "") -> list[str]:
    """Differences in keys and JSON types between `actual` and `example` (empty: same shape)."""
    problems = []
    if isinstance(example, dict):
        if not isinstance(actual, dict):
            return [f"{path or '<root>'}: expected an object, got {type(actual).__name__}"]
        want, got = set(example) - ignore, set(actual) - ignore
        problems += [f"{path}.{k}: missing" for k in sorted(want - got)]
        problems += [f"{path}.{k}: not in the example" for k in sorted(got - want)]
        for k in sorted(want & got):
            problems += same_shape(actual[k], example[k], ignore=ignore, path=f"{path}.{k}")
    elif isinstance(example, list):
        if not isinstance(actual, list):
            return [f"{path}: expected an array"]
        for i, item in enumerate(actual):
            problems += same_shape(item, example[0], ignore=ignore, path=f"{path}[{i}]")
    elif type(actual) is not type(example):
        problems.append(f"{path}: {type(actual).__name__} != {type(example).__name__} ({actual!r})")
    return problems


# Algo orders (not in the shared docs): ccxt's recorded create/query answer and cancel answer, and a
# captured ALGO_UPDATE (nautilus fixture ws_futures_algo_update_triggered.json, DOGEUSDT 2025-12-11).
ALGO_ORDER = {
    "algoId": 3358, "clientAlgoId": "yT58zmV3DSzMBQxc5tAJXU", "algoType": "CONDITIONAL", "orderType": "STOP",
    "symbol": "BTCUSDT", "side": "BUY", "positionSide": "BOTH", "timeInForce": "GTC", "quantity": "0.002",
    "algoStatus": "NEW", "triggerPrice": "100000.00", "price": "102000.00", "icebergQuantity": None,
    "selfTradePreventionMode": "EXPIRE_MAKER", "workingType": "CONTRACT_PRICE", "priceMatch": "NONE",
    "closePosition": False, "priceProtect": False, "reduceOnly": False, "createTime": 1763458576201,
    "updateTime": 1763458576201, "triggerTime": 0, "goodTillDate": 0,
}
# A query's row (GET algoOrder, openAlgoOrders, allAlgoOrders) adds the order placed on trigger and
# its average price, "" before (the fields Binance's Query Algo Order answer has, read by clients as
# the triggered order's id).
ALGO_QUERY = {**ALGO_ORDER, "algoStatus": "FINISHED", "actualOrderId": "8389765519", "actualPrice": "100012.30"}
ALGO_CANCEL = {"algoId": 3358, "clientAlgoId": "yT58zmV3DSzMBQxc5tAJXU", "code": "200", "msg": "success"}
ALGO_UPDATE = {
    "e": "ALGO_UPDATE", "T": 1765431097030, "E": 1765431097037,
    "o": {"caid": "O-20251211-053131-TEST-000-1", "aid": 1000000033225453, "at": "CONDITIONAL",
          "o": "STOP_MARKET", "s": "DOGEUSDT", "S": "BUY", "ps": "BOTH", "f": "GTC", "q": "38",
          "X": "TRIGGERED", "ai": "88937381063", "ap": "0", "aq": "0", "act": "MARKET", "tp": "0.13855",
          "p": "0", "V": "EXPIRE_MAKER", "wt": "CONTRACT_PRICE", "pm": "NONE", "cp": False, "pP": False,
          "R": False, "tt": 1765431097019, "gtd": 0},
}

# POST /fapi/v1/countdownCancelAll docs example (Auto-Cancel All Open Orders).
COUNTDOWN = {"symbol": "BTCUSDT", "countdownTime": "100000"}

# GET /fapi/v1/income docs example (the COMMISSION row; the TRANSFER row has the same keys and types).
INCOME_ROW = {
    "symbol": "BTCUSDT", "incomeType": "COMMISSION", "income": "-0.01000000", "asset": "USDT",
    "info": "COMMISSION", "time": 1570636800000, "tranId": 9689322392, "tradeId": "2059192",
}
