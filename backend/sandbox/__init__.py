"""Binance-compatible sandbox exchange: replayed USD-M candles behind Binance's REST and WebSocket
protocols (spot and USD-M market data, USD-M trading in sandbox.trading), with fault injection.

Start it with ``python -m sandbox``; see sandbox/README.md.
"""
