"""The chart gains the personal-account control and transfer clearing accounts (employee_personal only)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('funds', '0005_entry_in_its_month_no_truncate'),
    ]

    operations = [
        migrations.AlterField(
            model_name='account',
            name='category',
            field=models.CharField(choices=[('treasury_transit', '国库过渡户'), ('fiscal_special', '市级财政专户'), ('city_expenditure', '市级支出户'), ('county_expenditure', '县级支出户'), ('receivable_county', '应收县级款项'), ('personal_account_clearing', '个人账户转移清算'), ('payable_provider', '应付定点机构款'), ('fund_balance', '基金累计结余'), ('risk_reserve', '风险准备金'), ('personal_account_balance', '个人账户余额'), ('income_premium', '保险费收入'), ('subsidy_central', '中央财政补贴收入'), ('subsidy_provincial', '省级财政补贴收入'), ('subsidy_city', '市级财政补贴收入'), ('subsidy_county', '县级财政补贴收入'), ('income_interest', '利息收入'), ('income_transfer_in', '转移收入'), ('income_grant_above', '上级补助收入'), ('income_remittance_below', '下级上解收入（统筹前结余）'), ('income_other', '其他收入'), ('benefit_inpatient', '住院待遇支出'), ('benefit_outpatient', '门诊待遇支出'), ('benefit_maternity_medical', '生育医疗费用支出'), ('benefit_maternity_allowance', '生育津贴支出'), ('benefit_critical', '大病保险支出'), ('benefit_personal_account', '个人账户支出'), ('expense_transfer_out', '转移支出'), ('expense_grant_below', '补助下级支出'), ('expense_remittance_up', '上解上级支出'), ('expense_other', '其他支出')], max_length=40, verbose_name='科目类别'),
        ),
        migrations.AlterField(
            model_name='budgetadjustment',
            name='category',
            field=models.CharField(choices=[('treasury_transit', '国库过渡户'), ('fiscal_special', '市级财政专户'), ('city_expenditure', '市级支出户'), ('county_expenditure', '县级支出户'), ('receivable_county', '应收县级款项'), ('personal_account_clearing', '个人账户转移清算'), ('payable_provider', '应付定点机构款'), ('fund_balance', '基金累计结余'), ('risk_reserve', '风险准备金'), ('personal_account_balance', '个人账户余额'), ('income_premium', '保险费收入'), ('subsidy_central', '中央财政补贴收入'), ('subsidy_provincial', '省级财政补贴收入'), ('subsidy_city', '市级财政补贴收入'), ('subsidy_county', '县级财政补贴收入'), ('income_interest', '利息收入'), ('income_transfer_in', '转移收入'), ('income_grant_above', '上级补助收入'), ('income_remittance_below', '下级上解收入（统筹前结余）'), ('income_other', '其他收入'), ('benefit_inpatient', '住院待遇支出'), ('benefit_outpatient', '门诊待遇支出'), ('benefit_maternity_medical', '生育医疗费用支出'), ('benefit_maternity_allowance', '生育津贴支出'), ('benefit_critical', '大病保险支出'), ('benefit_personal_account', '个人账户支出'), ('expense_transfer_out', '转移支出'), ('expense_grant_below', '补助下级支出'), ('expense_remittance_up', '上解上级支出'), ('expense_other', '其他支出')], max_length=40, verbose_name='预算科目'),
        ),
        migrations.AlterField(
            model_name='budgetitem',
            name='category',
            field=models.CharField(choices=[('treasury_transit', '国库过渡户'), ('fiscal_special', '市级财政专户'), ('city_expenditure', '市级支出户'), ('county_expenditure', '县级支出户'), ('receivable_county', '应收县级款项'), ('personal_account_clearing', '个人账户转移清算'), ('payable_provider', '应付定点机构款'), ('fund_balance', '基金累计结余'), ('risk_reserve', '风险准备金'), ('personal_account_balance', '个人账户余额'), ('income_premium', '保险费收入'), ('subsidy_central', '中央财政补贴收入'), ('subsidy_provincial', '省级财政补贴收入'), ('subsidy_city', '市级财政补贴收入'), ('subsidy_county', '县级财政补贴收入'), ('income_interest', '利息收入'), ('income_transfer_in', '转移收入'), ('income_grant_above', '上级补助收入'), ('income_remittance_below', '下级上解收入（统筹前结余）'), ('income_other', '其他收入'), ('benefit_inpatient', '住院待遇支出'), ('benefit_outpatient', '门诊待遇支出'), ('benefit_maternity_medical', '生育医疗费用支出'), ('benefit_maternity_allowance', '生育津贴支出'), ('benefit_critical', '大病保险支出'), ('benefit_personal_account', '个人账户支出'), ('expense_transfer_out', '转移支出'), ('expense_grant_below', '补助下级支出'), ('expense_remittance_up', '上解上级支出'), ('expense_other', '其他支出')], max_length=40, verbose_name='预算科目'),
        ),
    ]
