"""Writes: create a strategy, save a new version.  There is no update of a version: a save is a
new immutable row."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .compiler import compile_workspace
from .models import Strategy, StrategyVersion

NAME_MAX = 100


class StrategyInvalid(Exception):
    """Bad input other than the workspace (which raises compiler.CompileFailed); ``field`` names it."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


def strategy_name_clean(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise StrategyInvalid("Give the strategy a name.", "name")
    name = name.strip()
    if len(name) > NAME_MAX or not name.isprintable():
        raise StrategyInvalid(f"The name must be printable and at most {NAME_MAX} characters.", "name")
    return name


@transaction.atomic
def strategy_create(*, owner, name: str, workspace=None) -> Strategy:
    """A new strategy of ``owner``; with ``workspace`` its version 1 too (compiled first, so a
    workspace that does not compile creates nothing: `CompileFailed`)."""
    name = strategy_name_clean(name)
    program = compile_workspace(workspace) if workspace is not None else None
    strategy = Strategy.objects.create(owner=owner, name=name)
    if program is not None:
        _version_insert(strategy, workspace, program)
    return strategy


def strategy_version_save(*, strategy: Strategy, workspace) -> StrategyVersion:
    """Compile ``workspace`` (`CompileFailed` lists the errors by block) and store it as the next
    version.  Two concurrent saves get consecutive numbers: the number comes from one UPDATE of the
    strategy row (``last_version + 1``), which the database applies one at a time."""
    program = compile_workspace(workspace)
    with transaction.atomic():
        return _version_insert(strategy, workspace, program)


def _version_insert(strategy: Strategy, workspace, program: dict) -> StrategyVersion:
    changed = Strategy.objects.filter(pk=strategy.pk).update(last_version=F("last_version") + 1,
                                                             updated_at=timezone.now())
    if changed != 1:
        raise Strategy.DoesNotExist(f"strategy {strategy.pk} is gone")
    # Our UPDATE holds the row lock until commit, so this read sees our own number.
    number = Strategy.objects.filter(pk=strategy.pk).values_list("last_version", flat=True).get()
    strategy.last_version = number
    return StrategyVersion.objects.create(strategy=strategy, number=number, workspace=workspace, ir=program)


# -- runs -------------------------------------------------------------------------------------

RUN_SYMBOLS_MAX = 20


def run_start(*, owner, strategy: Strategy, version, exchange_account, symbols, timeframe):
    """A RUNNING run of one of ``strategy``'s versions on one of ``owner``'s exchange accounts;
    the engine picks it up within a second.  Bad input: `StrategyInvalid` naming the field."""
    import re

    from accounts.models import AccountStatus, ExchangeAccount
    from signals.config import SIGNAL_TIMEFRAMES

    from .lifecycle import RunStatus, RunTrigger, run_transition
    from .models import StrategyRun

    if isinstance(version, bool) or not isinstance(version, int):
        raise StrategyInvalid("Give the number of the version to run.", "version")
    pinned = strategy.versions.filter(number=version).first()
    if pinned is None:
        raise StrategyInvalid(f"This strategy has no version {version}.", "version")
    if isinstance(exchange_account, bool) or not isinstance(exchange_account, int):
        raise StrategyInvalid("Give the id of one of your exchange accounts.", "exchange_account")
    account = ExchangeAccount.objects.filter(owner=owner, pk=exchange_account).first() if exchange_account < 2**63 else None
    if account is None:
        raise StrategyInvalid("No such exchange account of yours.", "exchange_account")
    if account.status != AccountStatus.VERIFIED:
        raise StrategyInvalid("This exchange account is not verified.", "exchange_account")
    if not isinstance(symbols, list) or not symbols:
        raise StrategyInvalid("Give a list of symbols.", "symbols")
    if len(symbols) > RUN_SYMBOLS_MAX:
        raise StrategyInvalid(f"At most {RUN_SYMBOLS_MAX} symbols per run.", "symbols")
    if not all(isinstance(s, str) and re.fullmatch(r"[A-Z0-9]{2,20}", s) for s in symbols):
        raise StrategyInvalid("Symbols are upper-case letters and digits, like BTCUSDT.", "symbols")
    if len(set(symbols)) != len(symbols):
        raise StrategyInvalid("A symbol is listed twice.", "symbols")
    if timeframe not in SIGNAL_TIMEFRAMES:
        raise StrategyInvalid(f"The timeframe must be one of {', '.join(SIGNAL_TIMEFRAMES)}.", "timeframe")
    run = StrategyRun.objects.create(owner=owner, version=pinned, exchange_account=account, symbols=symbols,
                                     timeframe=timeframe, status=run_transition(RunStatus.NEW, RunTrigger.START),
                                     started_at=timezone.now())
    _run_published(run)
    return run


def run_trigger(*, run, trigger: str):
    """Pause, resume or stop a run (`lifecycle.IllegalTransition` for a pair not in the table)."""
    from .lifecycle import RunTrigger, TERMINAL, run_transition
    from .models import StrategyRun

    with transaction.atomic():
        locked = StrategyRun.objects.select_for_update().get(pk=run.pk)
        locked.status = run_transition(locked.status, trigger)
        if locked.status in TERMINAL:
            locked.stopped_at = timezone.now()
        elif trigger == RunTrigger.RESUME:
            locked.started_at = timezone.now()
        locked.save(update_fields=["status", "stopped_at", "started_at", "updated_at"])
        _run_published(locked)
    return locked


def _run_published(run) -> None:
    from .engine.handling import run_event, run_payload

    run_event(run, "strategy_run_updated", run_payload(run))
