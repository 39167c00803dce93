"""The chart of accounts: what kinds of account a book holds, following the money flow.

Kept as data so another city can add a kind without touching the ledger. Each
category has a class (asset, liability, fund, income, expense), the side its
balance normally sits on, whether it belongs to the city (one account, lines
accounted to any county) or to each handling unit, and whether it may never go
below zero (bank accounts cannot be overdrawn).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import Scheme


class Category(models.TextChoices):
    # Assets: the accounts money actually sits in (财社〔2017〕144号 flow).
    TREASURY_TRANSIT = "treasury_transit", _("国库过渡户")
    FISCAL_SPECIAL = "fiscal_special", _("市级财政专户")
    CITY_EXPENDITURE = "city_expenditure", _("市级支出户")
    COUNTY_EXPENDITURE = "county_expenditure", _("县级支出户")
    RECEIVABLE_COUNTY = "receivable_county", _("应收县级款项")
    # 县际清算往来: what a unit's agency paid for other counties' insured (debit: owed to
    # the unit; credit: the unit owes). Summed over the city it is always zero.
    INTER_COUNTY_CLEARING = "inter_county_clearing", _("县际清算往来")
    PERSONAL_ACCOUNT_CLEARING = "personal_account_clearing", _("个人账户转移清算")
    # Liabilities.
    PAYABLE_PROVIDER = "payable_provider", _("应付定点机构款")
    # Withheld from providers' monthly payments until the annual assessment releases it.
    QUALITY_DEPOSIT = "quality_deposit", _("定点机构质量保证金")
    # Money collected with no declaration to split it by yet (暂收款): owed back or
    # recognised as income once it is matched (the monthly cycle's collection step).
    SUSPENSE = "suspense", _("暂收款")
    # Fund.
    FUND_BALANCE = "fund_balance", _("基金累计结余")
    RISK_RESERVE = "risk_reserve", _("风险准备金")
    # The control account of the personal-account sub-ledger (enrollment's postings):
    # per county, it equals the sum of that county's people's account balances.
    PERSONAL_ACCOUNT_BALANCE = "personal_account_balance", _("个人账户余额")
    # Income (国发〔2010〕2号 budget items).
    INCOME_PREMIUM = "income_premium", _("保险费收入")
    SUBSIDY_CENTRAL = "subsidy_central", _("中央财政补贴收入")
    SUBSIDY_PROVINCIAL = "subsidy_provincial", _("省级财政补贴收入")
    SUBSIDY_CITY = "subsidy_city", _("市级财政补贴收入")
    SUBSIDY_COUNTY = "subsidy_county", _("县级财政补贴收入")
    INCOME_INTEREST = "income_interest", _("利息收入")
    INCOME_TRANSFER_IN = "income_transfer_in", _("转移收入")
    INCOME_GRANT_ABOVE = "income_grant_above", _("上级补助收入")
    INCOME_REMITTANCE_BELOW = "income_remittance_below", _("下级上解收入（统筹前结余）")
    INCOME_OTHER = "income_other", _("其他收入")
    # Expenditure.
    BENEFIT_INPATIENT = "benefit_inpatient", _("住院待遇支出")
    BENEFIT_OUTPATIENT = "benefit_outpatient", _("门诊待遇支出")
    BENEFIT_MATERNITY_MEDICAL = "benefit_maternity_medical", _("生育医疗费用支出")
    BENEFIT_MATERNITY_ALLOWANCE = "benefit_maternity_allowance", _("生育津贴支出")
    BENEFIT_CRITICAL = "benefit_critical", _("大病保险支出")
    BENEFIT_PERSONAL_ACCOUNT = "benefit_personal_account", _("个人账户支出")
    EXPENSE_TRANSFER_OUT = "expense_transfer_out", _("转移支出")
    EXPENSE_GRANT_BELOW = "expense_grant_below", _("补助下级支出")
    EXPENSE_REMITTANCE_UP = "expense_remittance_up", _("上解上级支出")
    EXPENSE_OTHER = "expense_other", _("其他支出")


class Klass(models.TextChoices):
    ASSET = "asset", _("资产")
    LIABILITY = "liability", _("负债")
    FUND = "fund", _("基金")
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("支出")


DEBIT = "D"
CREDIT = "C"


@dataclass(frozen=True)
class Kind:
    category: str
    code: str  # account code prefix, finance's numbering
    klass: str
    city_level: bool = False
    no_overdraft: bool = False
    # Also one for the city's own handling agency (市本级), which handles providers (tertiary
    # hospitals) as a county's agency does: what it owes them and what it clears with counties.
    city_unit: bool = False
    books: tuple[str, ...] = ()  # only in these books (empty: in every book)

    @property
    def side(self) -> str:
        return DEBIT if self.klass in (Klass.ASSET, Klass.EXPENSE) else CREDIT


C = Category
PERSONAL_BOOK = "employee_personal"  # the book whose control account mirrors the people's accounts
POOLED_BOOK = "employee_pooled"
KINDS: dict[str, Kind] = {
    k.category: k
    for k in [
        Kind(C.TREASURY_TRANSIT, "1001", Klass.ASSET, city_level=True),
        Kind(C.FISCAL_SPECIAL, "1002", Klass.ASSET, city_level=True, no_overdraft=True),
        Kind(C.CITY_EXPENDITURE, "1003", Klass.ASSET, city_level=True, no_overdraft=True),
        Kind(C.COUNTY_EXPENDITURE, "1004", Klass.ASSET, no_overdraft=True),
        Kind(C.RECEIVABLE_COUNTY, "1101", Klass.ASSET),
        Kind(C.INTER_COUNTY_CLEARING, "1102", Klass.ASSET, city_unit=True),
        Kind(
            C.PERSONAL_ACCOUNT_CLEARING,
            "1201",
            Klass.ASSET,
            city_level=True,
            books=(PERSONAL_BOOK,),
        ),
        Kind(C.PAYABLE_PROVIDER, "2001", Klass.LIABILITY, city_unit=True),
        Kind(C.QUALITY_DEPOSIT, "2002", Klass.LIABILITY, city_unit=True),
        Kind(
            C.SUSPENSE, "2101", Klass.LIABILITY, books=(POOLED_BOOK,)
        ),  # employee collections only
        Kind(C.FUND_BALANCE, "3001", Klass.FUND, city_level=True),
        Kind(C.RISK_RESERVE, "3002", Klass.FUND, city_level=True),
        Kind(C.PERSONAL_ACCOUNT_BALANCE, "3003", Klass.FUND, books=(PERSONAL_BOOK,)),
        Kind(C.INCOME_PREMIUM, "4001", Klass.INCOME),
        Kind(C.SUBSIDY_CENTRAL, "4011", Klass.INCOME),
        Kind(C.SUBSIDY_PROVINCIAL, "4012", Klass.INCOME),
        Kind(C.SUBSIDY_CITY, "4013", Klass.INCOME),
        Kind(C.SUBSIDY_COUNTY, "4014", Klass.INCOME),
        Kind(
            C.INCOME_INTEREST, "4021", Klass.INCOME, city_level=True
        ),  # interest belongs to the book
        Kind(C.INCOME_TRANSFER_IN, "4031", Klass.INCOME),
        Kind(C.INCOME_GRANT_ABOVE, "4041", Klass.INCOME),
        Kind(C.INCOME_REMITTANCE_BELOW, "4051", Klass.INCOME),
        Kind(
            C.INCOME_OTHER, "4099", Klass.INCOME, city_unit=True
        ),  # deductions from providers, too
        Kind(C.BENEFIT_INPATIENT, "5001", Klass.EXPENSE),
        Kind(C.BENEFIT_OUTPATIENT, "5002", Klass.EXPENSE),
        Kind(C.BENEFIT_MATERNITY_MEDICAL, "5003", Klass.EXPENSE),
        Kind(C.BENEFIT_MATERNITY_ALLOWANCE, "5004", Klass.EXPENSE),
        Kind(C.BENEFIT_CRITICAL, "5005", Klass.EXPENSE),
        Kind(C.BENEFIT_PERSONAL_ACCOUNT, "5006", Klass.EXPENSE),
        Kind(C.EXPENSE_TRANSFER_OUT, "5031", Klass.EXPENSE),
        Kind(C.EXPENSE_GRANT_BELOW, "5041", Klass.EXPENSE),
        Kind(C.EXPENSE_REMITTANCE_UP, "5051", Klass.EXPENSE),
        Kind(C.EXPENSE_OTHER, "5099", Klass.EXPENSE),
    ]
}


def expenditure_category(unit: str, area: str) -> str:
    """The account a handling unit pays from: a county's expenditure account, or — for the
    city's own agency (市本级) — the city expenditure account."""
    return Category.CITY_EXPENDITURE if unit == area else Category.COUNTY_EXPENDITURE


INCOME_CATEGORIES = [c for c, k in KINDS.items() if k.klass == Klass.INCOME]
EXPENSE_CATEGORIES = [c for c, k in KINDS.items() if k.klass == Klass.EXPENSE]
CASH_CATEGORIES = [C.TREASURY_TRANSIT, C.FISCAL_SPECIAL, C.CITY_EXPENDITURE, C.COUNTY_EXPENDITURE]
BENEFIT_CATEGORIES = [c for c in EXPENSE_CATEGORIES if c.startswith("benefit_")]


@dataclass(frozen=True)
class BookSpec:
    code: str
    scheme: str
    name: str


# One book per scheme (分别建账、分账核算、分别计息、专款专用); employee personal
# accounts are a book of their own so pooled money never pays a personal-account item.
BOOKS = [
    BookSpec(POOLED_BOOK, Scheme.EMPLOYEE, "职工基本医疗保险统筹基金"),
    BookSpec(PERSONAL_BOOK, Scheme.EMPLOYEE, "职工基本医疗保险个人账户"),
    BookSpec("resident", Scheme.RESIDENT, "城乡居民基本医疗保险基金"),
    BookSpec("maternity", Scheme.MATERNITY, "生育保险基金"),
    BookSpec("employee_large", Scheme.EMPLOYEE_LARGE, "职工大额医疗费用补充保险基金"),
    BookSpec("resident_critical", Scheme.RESIDENT_CRITICAL, "城乡居民大病保险基金"),
]


def kinds_of(book_code: str) -> list[Kind]:
    """The kinds of account a book holds."""
    return [k for k in KINDS.values() if not k.books or book_code in k.books]


def account_code(category: str, county_code: str) -> str:
    """Finance's numbering: kind code, then the unit it belongs to (1004-320902)."""
    return f"{KINDS[category].code}-{county_code}"
