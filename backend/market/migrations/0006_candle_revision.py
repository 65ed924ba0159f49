"""The candle store's change feed: a revision per written row, and a count of erasures.

* `market_candle_revisions`: every upsert that inserts or changes a row gives it the next value
  (services.candles_upsert). Existing rows keep NULL: a reader that follows the feed reads them
  once in full when it starts (market/store_mirror.py).
* `market_candle_erasures`: bumped by every DELETE or TRUNCATE statement on the table (a test's
  flush, an operator), except the hourly prune's (services.candles_prune sets
  `market.candle_prune`: it deletes only candles older than the newest MARKET_CANDLES_KEEP, which
  no window reads). A follower that sees it move starts again from a full read, since a deleted
  row leaves no revision behind.
"""
from django.db import migrations, models

_FORWARD = """
CREATE SEQUENCE market_candle_revisions;
CREATE SEQUENCE market_candle_erasures;
CREATE FUNCTION market_candle_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('market.candle_prune', true), '') <> 'on' THEN
        PERFORM nextval('market_candle_erasures');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER market_candle_delete AFTER DELETE ON market_candle
    FOR EACH STATEMENT EXECUTE FUNCTION market_candle_erased();
CREATE TRIGGER market_candle_truncate AFTER TRUNCATE ON market_candle
    FOR EACH STATEMENT EXECUTE FUNCTION market_candle_erased();
"""
_BACKWARD = """
DROP TRIGGER market_candle_truncate ON market_candle;
DROP TRIGGER market_candle_delete ON market_candle;
DROP FUNCTION market_candle_erased();
DROP SEQUENCE market_candle_erasures;
DROP SEQUENCE market_candle_revisions;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("market", "0005_candle_market"),
    ]

    operations = [
        migrations.AddField(model_name="candle", name="revision",
                            field=models.BigIntegerField(editable=False, null=True)),
        migrations.AddIndex(model_name="candle",
                            index=models.Index(fields=["market", "interval", "revision"], name="market_candle_feed")),
        migrations.RunSQL(_FORWARD, _BACKWARD),
    ]
