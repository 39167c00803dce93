"""TRUNCATE would skip the row guards of 0002: these tables refuse it outright (see pooling.dbroles)."""

from django.db import migrations

from pooling.dbroles import RefuseTruncate


class Migration(migrations.Migration):
    dependencies = [("settlement", "0003_claims"), ("pooling", "0008_runtime_role_guards")]
    operations = [RefuseTruncate("settlement_settlement", "settlement_settlementreversal", "settlement_message",
                                 "settlement_visit", "settlement_feedetail", "settlement_accumulator")]
