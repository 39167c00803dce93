"""Run the daily end of lapsed suspensions (180 days) from beat, kept in the database."""

from django.db import migrations


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="1", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="暂停期满自动解除 / end lapsed suspensions",
        defaults={"task": "providers.expire_suspensions", "crontab": daily,
                  "description": "暂停满 180 日未恢复的定点机构，协议自动解除（每日 01:10）"},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task="providers.expire_suspensions").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(add_schedule, remove_schedule)]
