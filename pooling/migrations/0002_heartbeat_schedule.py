"""The beat schedule lives in the database (django-celery-beat), editable in the admin."""

from django.db import migrations


def add_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every5, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="任务进程心跳 / worker heartbeat",
        defaults={"task": "pooling.heartbeat", "interval": every5,
                  "args": "[]", "description": "每 5 分钟写一次心跳；首页据此显示任务进程状态"},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task="pooling.heartbeat").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pooling", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(add_schedule, remove_schedule)]
