"""Personal-account pages keep a fifth free, so a balance moved is a HOT update (PostgreSQL).

Every posting moves its account's balance (`balance_fen`, in no index): the month's allocation
moves 270,000 balances at once in a city month, each settlement paid from an account one. On a
full page the new row version goes to another page and both indexes (primary key, person) get
an entry for it; with room on the page it stays there and no index is touched (a county of
25,000 allocations: 0.5–0.6 s → 0.35 s for the insert and the balances, bench.cycle). Applies to
pages written from now on (a VACUUM FULL or CLUSTER of the table, in a quiet hour, applies it to
the existing ones). Nothing is checked differently: the balance's CHECK and the row lock are the
same.
"""

from django.db import migrations

TABLE = "enrollment_personalaccount"


def roomy(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER TABLE "{TABLE}" SET (fillfactor = 80)')


def packed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER TABLE "{TABLE}" RESET (fillfactor)')


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0015_lean_posting_indexes")]
    operations = [migrations.RunPython(roomy, packed)]
