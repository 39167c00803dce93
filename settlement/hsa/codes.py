"""The national code lists this system settles, and what each means here.

`insutype` names the scheme a message settles under; the second-tier funds (330
large-expense supplement, 392 critical illness) are not settled on their own: they pay
inside a 310 or 390 settlement, after the basic fund, and appear as `hifob_pay` /
`hifmi_pay`. Maternity care (med_type 51/52) is paid by the maternity book.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from pooling.benefits.types import CareType
from pooling.kernel.choices import Scheme

# The names stay Chinese text here (the interface's messages and files carry them);
# gettext_noop only marks them, and `label` translates one for a page.
INSUTYPES = {
    "310": gettext_noop("职工基本医疗保险"),
    "390": gettext_noop("城乡居民基本医疗保险"),
    "510": gettext_noop("生育保险"),
}
ALL_INSUTYPES = {
    **INSUTYPES,
    "320": gettext_noop("公务员医疗补助"),
    "330": gettext_noop("大额医疗费用补助"),
    "340": gettext_noop("离休人员医疗保障"),
    "392": gettext_noop("城乡居民大病医疗保险"),
}

MED_TYPES = {
    "11": gettext_noop("普通门诊"),
    "12": gettext_noop("门诊挂号"),
    "13": gettext_noop("急诊"),
    "14": gettext_noop("门诊慢特病"),
    "21": gettext_noop("普通住院"),
    "41": gettext_noop("定点药店购药"),
    "51": gettext_noop("生育门诊"),
    "52": gettext_noop("生育住院"),
}
CLR_TYPES = {
    "11": gettext_noop("门诊"),
    "21": gettext_noop("住院"),
    "41": gettext_noop("药店购药"),
    "99": gettext_noop("其他"),
}
# matn_type (生育类别) of a delivery (med_type 52), as 2207 carries it; files and the REST
# resource take the same codes.
MATN_TYPES = {"1": gettext_noop("顺产"), "2": gettext_noop("剖宫产")}
PSN_SETLWAYS = {"01": "按项目结算", "02": "按定额结算"}
CERT_TYPES = {"01": "医保电子凭证", "02": "居民身份证", "03": "社会保障卡"}
INPATIENT_MED_TYPES = ("21", "52")
MATERNITY_MED_TYPES = ("51", "52")
MATERNITY_INSUTYPE = "510"

# setldetail's fund_pay_type per book (国家医保基金支付类型代码)
FUND_PAY_TYPES = {
    "employee_pooled": ("310100", "职工基本医疗保险统筹基金"),
    "resident": ("390100", "城乡居民基本医疗保险基金"),
    "maternity": ("510100", "生育保险基金"),
    "employee_large": ("330100", "职工大额医疗费用补助基金"),
    "resident_critical": ("390200", "城乡居民大病保险资金"),
}


@dataclass(frozen=True)
class Meaning:
    scheme: str  # the person's enrolment scheme that must be in force
    care_type: str  # the calculator's care type
    fund_book: str  # the book the basic fund's payment is charged to
    clr_type: str


def meaning(*, insutype: str, med_type: str, pharmacy: bool) -> Meaning:
    """What an (insutype, med_type) pair settles as. Callers validated both codes already."""
    if insutype == MATERNITY_INSUTYPE or med_type in MATERNITY_MED_TYPES:
        return Meaning(
            Scheme.EMPLOYEE, CareType.MATERNITY, "maternity", "21" if med_type == "52" else "11"
        )
    scheme = Scheme.EMPLOYEE if insutype == "310" else Scheme.RESIDENT
    book = "employee_pooled" if scheme == Scheme.EMPLOYEE else "resident"
    if med_type == "21":
        return Meaning(scheme, CareType.INPATIENT, book, "21")
    if med_type == "14":
        return Meaning(scheme, CareType.CHRONIC, book, "11")
    return Meaning(scheme, CareType.OUTPATIENT, book, "41" if pharmacy else "11")


def insutype_of(scheme: str) -> str:
    return "310" if scheme == Scheme.EMPLOYEE else "390"


def label(table: dict[str, str], code: str) -> str:
    """A code's name in the reader's language; an unknown code shows as itself."""
    text = table.get(code)
    return gettext(text) if text else code
