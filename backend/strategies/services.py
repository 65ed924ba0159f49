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
