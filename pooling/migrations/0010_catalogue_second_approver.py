"""The constraint on its own migration: on PostgreSQL, rows updated by 0009 (deferred foreign-key
checks pending) and an ALTER TABLE cannot share one transaction."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pooling', '0009_catalogue_maker_checker'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='catalogueversion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'published'), _negated=True), models.Q(('imported_by__isnull', False), ('published_by__isnull', False), models.Q(('published_by', models.F('imported_by')), _negated=True)), _connector='OR'), name='published_catalogue_has_a_second_approver'),
        ),
    ]
