"""Postings written before the sub-ledger: sorted into kinds, hashed, summed into balances.

An allocation with no paid declaration line of the same person, month and amount was
a retiree's (only a paid line is allocated in service; retirees declare nothing). Balances are the sum of postings. The postings stay unswept: the next
sweep matches them into the funds books (`enrollment.services.sweep`).
"""

from django.db import migrations

RETIREE_ALLOCATIONS = """
UPDATE enrollment_accountposting SET kind = 'retiree_allocation'
WHERE kind = 'allocation' AND NOT EXISTS (
    SELECT 1 FROM enrollment_declarationline l
    JOIN enrollment_declaration d ON d.id = l.declaration_id
    JOIN enrollment_personalaccount a ON a.person_id = l.person_id
    WHERE a.id = enrollment_accountposting.account_id AND l.month = enrollment_accountposting.month
      AND l.scheme = 'employee' AND l.account_fen = enrollment_accountposting.amount_fen
      AND d.status = 'paid')
"""

BALANCES = """
UPDATE enrollment_personalaccount SET balance_fen = COALESCE(
    (SELECT SUM(p.amount_fen) FROM enrollment_accountposting p WHERE p.account_id = enrollment_personalaccount.id), 0)
"""


def forward(apps, schema_editor):
    from enrollment.services.subledger import PostingSpec, payload_hash

    Posting = apps.get_model("enrollment", "AccountPosting")
    schema_editor.execute(RETIREE_ALLOCATIONS)
    rows = list(Posting.objects.values_list("pk", "account__person_id", "kind", "month", "amount_fen", "key"))
    Posting.objects.bulk_update(
        [Posting(pk=pk, payload_hash=payload_hash(PostingSpec(person_id=person, kind=kind, month=month,
                                                                amount_fen=amount, key=key)))
         for pk, person, kind, month, amount, key in rows],
        ["payload_hash"], batch_size=2000)
    schema_editor.execute(BALANCES)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0005_account_subledger")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
