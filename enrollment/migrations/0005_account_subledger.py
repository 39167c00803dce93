"""The personal account becomes a sub-ledger: maintained balance, payload hash, batches."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0004_one_name_index'),
        ('pooling', '0007_import_batch'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='所属月份')),
                ('kind', models.CharField(choices=[('allocation', '划入'), ('retiree_allocation', '退休人员划入'), ('payment', '支付'), ('transfer_out', '转出'), ('transfer_in', '转入')], max_length=20, verbose_name='类型')),
                ('key', models.CharField(max_length=200, unique=True, verbose_name='汇总入账键')),
                ('posted_at', models.DateTimeField(auto_now_add=True, verbose_name='入账时间')),
            ],
            options={
                'verbose_name': '个人账户汇总入账批次',
                'verbose_name_plural': '个人账户汇总入账批次',
                'ordering': ['-month', 'county_id', 'kind', 'pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='accountposting',
            name='posting_not_zero',
        ),
        migrations.AddField(
            model_name='accountposting',
            name='payload_hash',
            field=models.CharField(default='', max_length=64, verbose_name='内容摘要'),
            preserve_default=False,  # filled by 0006 for postings written before the sub-ledger
        ),
        migrations.AddField(
            model_name='personalaccount',
            name='balance_fen',
            field=models.BigIntegerField(default=0, verbose_name='余额（分）'),
        ),
        migrations.AlterField(
            model_name='accountposting',
            name='created_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='经办人'),
        ),
        migrations.AlterField(
            model_name='accountposting',
            name='key',
            field=models.CharField(max_length=200, unique=True, verbose_name='幂等键'),
        ),
        migrations.AlterField(
            model_name='accountposting',
            name='kind',
            field=models.CharField(choices=[('allocation', '划入'), ('retiree_allocation', '退休人员划入'), ('payment', '支付'), ('transfer_out', '转出'), ('transfer_in', '转入')], max_length=20, verbose_name='类型'),
        ),
        migrations.AddConstraint(
            model_name='personalaccount',
            constraint=models.CheckConstraint(condition=models.Q(('balance_fen__gte', 0)), name='personal_account_not_negative'),
        ),
        migrations.AddField(
            model_name='accountbatch',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='account_batches', to='pooling.region', verbose_name='经办单位'),
        ),
        migrations.AddField(
            model_name='accountbatch',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='经办人'),
        ),
        migrations.AddField(
            model_name='accountposting',
            name='batch',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='postings', to='enrollment.accountbatch', verbose_name='汇总入账批次'),
        ),
        migrations.AddIndex(
            model_name='accountposting',
            index=models.Index(condition=models.Q(('batch__isnull', True)), fields=['county', 'month'], name='posting_unmatched'),
        ),
        migrations.AddConstraint(
            model_name='accountposting',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('amount_fen__gt', 0), ('kind__in', ('allocation', 'retiree_allocation', 'transfer_in'))), models.Q(models.Q(('kind__in', ('allocation', 'retiree_allocation', 'transfer_in')), _negated=True), ('amount_fen__lt', 0)), _connector='OR'), name='posting_sign_follows_kind'),
        ),
        migrations.AddConstraint(
            model_name='accountposting',
            constraint=models.CheckConstraint(condition=models.Q(('month__day', 1)), name='posting_month_is_first_day'),
        ),
        migrations.AddConstraint(
            model_name='accountbatch',
            constraint=models.CheckConstraint(condition=models.Q(('month__day', 1)), name='account_batch_month_is_first_day'),
        ),
    ]
