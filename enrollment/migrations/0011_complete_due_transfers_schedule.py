"""Run the daily completion of transfers whose release deadline passed without objection,
from beat, kept in the database (like providers' 0002_expire_suspensions_schedule)."""

from django.db import migrations

TASK = "enrollment.complete_due_transfers"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="20", hour="1", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="转移逾期未确认自动办结 / complete transfers past their release deadline",
        defaults={"task": TASK, "crontab": daily,
                  "description": "转出地逾期未确认也未提出异议的市内转移，自动办结（每日 01:20）"},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0010_transfer_release"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(add_schedule, remove_schedule)]
