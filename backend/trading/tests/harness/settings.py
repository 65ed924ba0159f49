"""Settings of the processes the proofs start: the test settings, with the `trading.*` tasks routed
to a queue of the proof's own (`TRADING_PROOF_QUEUE`), so that the suite's shared worker (which
consumes `trading`) never takes the task of the worker a proof means to kill."""
import os

from kombu import Queue

from config.settings.test import *  # noqa: F401,F403
from config.settings.test import CELERY_TASK_QUEUES, CELERY_TASK_ROUTES

PROOF_QUEUE = os.environ.get("TRADING_PROOF_QUEUE", "trading")
CELERY_TASK_ROUTES = {**CELERY_TASK_ROUTES, "trading.*": {"queue": PROOF_QUEUE}}
CELERY_TASK_QUEUES = (*CELERY_TASK_QUEUES, Queue(PROOF_QUEUE))
