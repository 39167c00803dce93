"""The 待遇测算 form: the claim's header, the person's year to date, and the line items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pooling.benefits.types import (
    SCHEMES,
    Accumulators,
    CareType,
    Claim,
    ClaimLine,
    PersonContext,
)
from pooling.kernel.choices import HospitalLevel, PersonCategory, Scheme
from pooling.policy.benefit_rules import MATERNITY_KINDS
from pooling.web.fields import YuanField

NEED_DIAGNOSIS = _("门诊慢特病需填写病种编码")
NO_LINE = _("请至少填写一行费用明细")


class QuoteForm(forms.Form):
    scheme = forms.TypedChoiceField(
        label=_("险种"), choices=[(s.value, s.label) for s in SCHEMES], coerce=Scheme
    )
    category = forms.TypedChoiceField(
        label=_("人员类别"), choices=PersonCategory.choices, coerce=PersonCategory
    )
    hospital_level = forms.TypedChoiceField(
        label=_("医院等级"), choices=HospitalLevel.choices, coerce=HospitalLevel
    )
    care_type = forms.ChoiceField(label=_("就诊类型"), choices=list(CareType.LABELS.items()))
    service_date = forms.DateField(
        label=_("就诊（出院）日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    diagnosis = forms.CharField(
        label=_("门慢/门特病种编码"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"list": "disease-list"}),
    )
    maternity_kind = forms.ChoiceField(
        label=_("生育医疗类型"), required=False, choices=[("", "—"), *MATERNITY_KINDS.items()]
    )
    out_of_city = forms.BooleanField(label=_("异地就医"), required=False)
    referral_registered = forms.BooleanField(
        label=_("已办理转外就医备案（或急诊）"), required=False
    )
    use_personal_account = forms.BooleanField(label=_("使用个人账户支付"), required=False)
    account_balance = YuanField(label=_("个人账户余额（元）"), required=False, initial="0.00")
    admissions = forms.IntegerField(label=_("本年已住院次数"), min_value=0, initial=0)
    deductible_paid = YuanField(
        label=_("本年已计入起付标准（元）"),
        required=False,
        initial="0.00",
        help_text=_("普通门诊、门慢门特、生育按年度累计；住院按次，不填"),
    )
    fund_paid = YuanField(
        label=_("本年统筹已支付（元，同一限额范围）"), required=False, initial="0.00"
    )

    YTD = ("admissions", "deductible_paid", "fund_paid", "account_balance", "use_personal_account")

    def claim_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name not in self.YTD]

    def ytd_fields(self) -> list[Any]:
        return [self[name] for name in self.YTD]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("care_type") == CareType.CHRONIC and not (data.get("diagnosis") or "").strip():
            self.add_error("diagnosis", NEED_DIAGNOSIS)
        # A maternity kind is needed only under a 定额 policy; the calculator says so when it is.
        return data


class LineForm(forms.Form):
    code = forms.CharField(label=_("编码"), max_length=30, required=False)
    name = forms.CharField(label=_("名称"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=_("数量"), max_digits=12, decimal_places=4, min_value=Decimal(0), required=False
    )
    unit_price = YuanField(label=_("单价（元）"), required=False)

    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {})
        return not (d.get("code") or "").strip()


LineFormSet = forms.formset_factory(LineForm, extra=0, min_num=1, max_num=200)


def scope_of(care_type: str, diagnosis: str, maternity_kind: str) -> str:
    """The cap / accumulator scope the form's two YTD amounts belong to (see Accumulators)."""
    if care_type == CareType.CHRONIC:
        return f"chronic:{diagnosis}"
    if care_type == CareType.MATERNITY:
        return f"maternity:{maternity_kind}" if maternity_kind else "maternity"
    return care_type


def to_claim(form: QuoteForm, lines: Any) -> tuple[Claim, PersonContext]:
    d = form.cleaned_data
    diagnosis = (d.get("diagnosis") or "").strip().upper()
    scope = scope_of(d["care_type"], diagnosis, d.get("maternity_kind") or "")
    person = PersonContext(
        category=d["category"],
        account_balance_fen=d.get("account_balance") or 0,
        ytd=Accumulators(
            admissions=d.get("admissions") or 0,
            deductible_paid_fen=MappingProxyType({scope: d.get("deductible_paid") or 0}),
            fund_paid_fen=MappingProxyType({scope: d.get("fund_paid") or 0}),
        ),
    )
    items = []
    for f in lines.forms:
        if f.is_blank():
            continue
        q = f.cleaned_data.get("quantity") or Decimal(0)
        items.append(
            ClaimLine(
                code=f.cleaned_data["code"].strip().upper(),
                quantity=int(q) if q == q.to_integral_value() else q,
                unit_price_fen=f.cleaned_data.get("unit_price") or 0,
                name=f.cleaned_data.get("name") or "",
            )
        )
    claim = Claim(
        scheme=d["scheme"],
        hospital_level=d["hospital_level"],
        care_type=d["care_type"],
        service_date=d.get("service_date") or date.today(),
        diagnosis=diagnosis,
        out_of_city=d["out_of_city"],
        referral_registered=d["referral_registered"],
        use_personal_account=d["use_personal_account"],
        maternity_kind=d.get("maternity_kind") or "",
        lines=tuple(items),
    )
    return claim, person
