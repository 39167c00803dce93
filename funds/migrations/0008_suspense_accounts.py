"""Books opened before the chart had the suspense kind (暂收款) get each unit's suspense
account in the employee pooled book, as `books_ensure` would open it now."""

from django.conf import settings
from django.db import migrations

POOLED_BOOK = "employee_pooled"
CODE_PREFIX = "2101"


def add_suspense_accounts(apps, schema_editor):
    Account = apps.get_model("funds", "Account")
    Book = apps.get_model("funds", "Book")
    Region = apps.get_model("pooling", "Region")
    book = Book.objects.filter(code=POOLED_BOOK).first()
    if book is None:  # no books yet: books_ensure will open them with the whole chart
        return
    have = set(Account.objects.filter(book=book).values_list("code", flat=True))
    units = Region.objects.filter(parent_id=settings.POOLING_AREA_CODE, level="county", is_active=True)
    Account.objects.bulk_create([
        Account(book=book, county=unit, code=f"{CODE_PREFIX}-{unit.code}", name=f"{unit.name}暂收款",
                category="suspense", klass="liability", side="C", city_level=False, no_overdraft=False)
        for unit in units if f"{CODE_PREFIX}-{unit.code}" not in have])


class Migration(migrations.Migration):

    dependencies = [
        ("funds", "0007_suspense_and_plan_approval"),
        ("pooling", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_suspense_accounts, migrations.RunPython.noop)]
