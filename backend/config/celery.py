"""The Celery app. Its configuration lives in Django settings under the CELERY_ prefix."""
import ctypes
import ctypes.util
import gc
import os

from celery import Celery
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("scanner")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_libc_path = ctypes.util.find_library("c")
_malloc_trim = getattr(ctypes.CDLL(_libc_path), "malloc_trim", None) if _libc_path else None


@task_postrun.connect
def release_memory(**_kwargs) -> None:
    """Hand memory freed by a task back to the OS.

    A scan of 400 pairs allocates ~50 MB of short-lived arrays; glibc keeps freed arenas, so
    without this a worker child stays near its peak forever (bench/bench_scan.py: 269 MB
    resident after scans, about 130 MB with it).
    """
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)
