"""Writes of the signals app, split by concern: persistence of engine events, scanning, symbols."""
