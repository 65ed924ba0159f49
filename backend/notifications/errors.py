"""Why a delivery failed, typed by what the caller does about it.

Messages are stored in `NotificationDelivery.last_error` and logged, so they are built with
secrets masked (`senders.redact`) and never include a target URL or a bot token.
"""


class DeliveryError(Exception):
    """A notification could not be delivered."""


class TemporaryDeliveryError(DeliveryError):
    """May work later (5xx, 408/429, timeout, refused or dropped connection, Redis down):
    the send already retried a few times; the next runs retry with backoff up to the max attempts."""


class PermanentDeliveryError(DeliveryError):
    """Will not work by retrying (4xx, a redirect, a bad target, no bot token): the delivery stays
    failed; fix the rule or the settings, then retry it from the admin."""
