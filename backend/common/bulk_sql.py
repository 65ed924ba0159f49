"""Many conditional writes in one statement each, with the rows they changed given back as models.

The ORM writes one row per statement when each row gets its own values and the caller must know
which rows the database let through (a conditional UPDATE, an INSERT that may meet a unique
index). These two helpers do the same for a whole list in one round trip, on PostgreSQL:

- `update_returning`: `UPDATE t SET ... FROM (VALUES ...) v WHERE t.key = v.key AND <condition>
  RETURNING t.*`; a row the condition refuses is simply not returned.
- `insert_returning`: `INSERT ... ON CONFLICT DO NOTHING RETURNING *`; a row that meets any unique
  index or constraint (partial ones too) is not inserted and not returned.

Values go through each field's own `get_db_prep_save`, and every VALUES cell is cast to the
field's column type, so JSON, timestamps and nulls keep their types.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connection
from django.db.models import Model


def _cast(field) -> str:
    return f"%s::{field.db_type(connection)}"


def update_returning(model: type[Model], *, key: str, rows: Sequence[Mapping], where: str = "TRUE",
                     assign: Mapping[str, str] | None = None) -> list[Model]:
    """UPDATE `model` rows matched on field `key`, one VALUES row per mapping in `rows` (each holds
    `key` and the same other field names). Every other field given is set to its value; `assign`
    adds or overrides columns with SQL expressions, where `t.` is the table and `v.` the given
    values (`"t.version + 1"`, `"COALESCE(v.exit_price, t.exit_price)"`). `where`: the condition a
    row must still meet, on `t.` (`"t.status = 'active'"`). Returns the updated rows."""
    if not rows:
        return []
    meta = model._meta
    qn = connection.ops.quote_name
    fields = [meta.get_field(name) for name in rows[0]]
    column = {name: qn(meta.get_field(name).column) for name in [*rows[0], *(assign or {})]}
    sets = {name: f"v.{column[name]}" for name in rows[0] if name != key} | dict(assign or {})
    template = "(" + ", ".join(_cast(field) for field in fields) + ")"
    params = [field.get_db_prep_save(row[field.name], connection) for row in rows for field in fields]
    sql = (f"UPDATE {qn(meta.db_table)} AS t SET {', '.join(f'{column[n]} = {e}' for n, e in sets.items())} "
           f"FROM (VALUES {', '.join([template] * len(rows))}) AS v({', '.join(qn(f.column) for f in fields)}) "
           f"WHERE t.{column[key]} = v.{column[key]} AND ({where}) RETURNING t.*")
    return list(model.objects.raw(sql, params))


def insert_returning(model: type[Model], objects: Sequence[Model]) -> list[Model]:
    """INSERT `objects` (unsaved instances) with ON CONFLICT DO NOTHING; returns those inserted,
    with their primary keys."""
    if not objects:
        return []
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    template = "(" + ", ".join(_cast(field) for field in fields) + ")"
    params = [field.get_db_prep_save(field.pre_save(obj, add=True), connection) for obj in objects for field in fields]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES {', '.join([template] * len(objects))} ON CONFLICT DO NOTHING RETURNING *")
    return list(model.objects.raw(sql, params))
