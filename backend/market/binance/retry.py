"""The one retry policy of every Binance call.

* `TemporaryError` (5xx, 408, timeouts, dropped connections): retried after an
  exponential delay with full jitter, `uniform(0, min(cap, base * 2**n))`, up to
  `attempts` tries in all. Jitter keeps many processes that failed together from
  retrying together.
* `RateLimitedError` (429): retried without sleeping here, because the governor already
  holds every process back until Retry-After has passed; bounded by `rate_limited_attempts`.
* `BannedError` from a 418 response: retried the same way (the governor waits out a short
  ban, or refuses to send during a long one and raises `BannedError` with status 0).
* `ExecutionUnknownError`: retried only for idempotent requests (reads).
* `PermanentError`, `AuthenticationError`: raised at once; the same request cannot succeed.
"""
from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from market.binance.errors import BannedError, ExecutionUnknownError, RateLimitedError, TemporaryError

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries in all for temporary errors
    base_s: float = 0.25
    cap_s: float = 10.0
    rate_limited_attempts: int = 50  # 429s tolerated by one call (each waits Retry-After)
    banned_attempts: int = 3  # 418 responses tolerated by one call (each waits out a short ban)

    def delay(self, failures: int) -> float:
        """Sleep before the next try after `failures` temporary failures (>= 1)."""
        return random.uniform(0, min(self.cap_s, self.base_s * 2 ** (failures - 1)))


async def call_with_retries(call: Callable[[int], Awaitable[T]], policy: RetryPolicy, *,
                            what: str, idempotent: bool = True) -> T:
    """Run `call(try_number)` until it succeeds or the policy says stop (then the last error is raised).

    `try_number` starts at 0, so a caller can treat the first try differently (e.g. take
    weight from a batch's pre-reserved pool, and reserve afresh on retries).
    """
    temporary = rate_limited = banned = 0
    tries = 0
    while True:
        try:
            return await call(tries)
        except ExecutionUnknownError:
            if not idempotent:
                raise
            temporary += 1
            if temporary >= policy.attempts:
                raise
            delay = policy.delay(temporary)
        except TemporaryError as exc:
            temporary += 1
            if temporary >= policy.attempts:
                raise
            delay = policy.delay(temporary)
            logger.info("%s: temporary failure %d/%d (%s); retrying in %.2f s",
                        what, temporary, policy.attempts, exc, delay)
        except RateLimitedError:
            rate_limited += 1
            if rate_limited >= policy.rate_limited_attempts:
                raise
            delay = 0.0
        except BannedError as exc:
            if exc.status != 418:  # raised by the governor without sending: the ban is too long to wait
                raise
            banned += 1
            if banned >= policy.banned_attempts:
                raise
            delay = 0.0
        tries += 1
        if delay:
            await asyncio.sleep(delay)
