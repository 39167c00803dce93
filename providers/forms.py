"""Forms of the providers pages; they parse input, services decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import HospitalLevel
from pooling.kernel.codes import check_credit_code, normalize_code
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.regions import handling_units
from pooling.web.fields import CodeField, YuanField
from providers.choices import (
    Grade,
    HospitalType,
    Initiator,
    Ownership,
    ProviderKind,
    ViolationAction,
    ViolationKind,
)

# type=date inputs only accept ISO dates, whatever the locale formats say.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "——")] + [c for c in choices if c[0]]


class ProviderForm(forms.Form):
    kind = forms.ChoiceField(label=_("机构类别"), choices=ProviderKind.choices)
    name = forms.CharField(label=_("机构名称"), max_length=100)
    # Kind and area of the national code are the register service's to check (they depend on
    # the other fields); the field normalizes it as every door does.
    national_code = CodeField(
        label=_("医保机构编码"),
        check=normalize_code,
        help_text=_("医疗机构 H、药店 P，后接6位区划代码和5位顺序号"),
    )
    credit_code = CodeField(label=_("统一社会信用代码"), check=check_credit_code)
    location_region = forms.ModelChoiceField(label=_("所在区县"), queryset=handling_units())
    address = forms.CharField(label=_("地址"), max_length=200)
    level = forms.ChoiceField(
        label=_("医院级别"), choices=_blank(HospitalLevel.choices), required=False
    )
    grade = forms.ChoiceField(label=_("等次"), choices=_blank(Grade.choices), required=False)
    hospital_type = forms.ChoiceField(
        label=_("医疗机构类型"), choices=_blank(HospitalType.choices), required=False
    )
    ownership = forms.ChoiceField(label=_("经营性质"), choices=Ownership.choices)
    opened_on = forms.DateField(label=_("开业（执业）日期"), widget=DATE)


# Which inputs each lifecycle action asks for (beyond the date).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "sign": ("term_start", "agency_signatory", "provider_signatory"),
    "renew": ("agency_signatory", "provider_signatory"),
    "suspend": ("initiator", "requested_on", "reason"),
    "terminate": ("initiator", "requested_on", "reason"),
    "not_renew": ("initiator", "requested_on", "reason"),
    "change": ("name", "address", "grade", "reason"),
}
DEFAULT_FIELDS = ("reason",)


class ActionForm(forms.Form):
    on = forms.DateField(label=_("办理（生效）日期"), widget=DATE, initial=date.today)
    reason = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    initiator = forms.ChoiceField(
        label=_("提出方"), choices=Initiator.choices, initial=Initiator.AGENCY
    )
    requested_on = forms.DateField(label=_("机构提出申请日期"), widget=DATE, required=False)
    term_start = forms.DateField(label=_("协议起始日"), widget=DATE, required=False)
    agency_signatory = forms.CharField(label=_("经办机构签订人"), max_length=50, required=False)
    provider_signatory = forms.CharField(label=_("定点机构签订人"), max_length=50, required=False)
    name = forms.CharField(label=_("机构名称"), max_length=100, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    grade = forms.ChoiceField(label=_("等次"), choices=Grade.choices, required=False)

    def __init__(self, *args: Any, action: str, provider: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {"on", *ACTION_FIELDS.get(action, DEFAULT_FIELDS)}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if action == "change" and provider is not None:
            for name in ("name", "address", "grade"):
                self.fields[name].initial = getattr(provider, name)

    def service_params(self) -> dict[str, Any]:
        data = self.cleaned_data
        params: dict[str, Any] = {
            k: data[k]
            for k in (
                "initiator",
                "requested_on",
                "term_start",
                "agency_signatory",
                "provider_signatory",
            )
            if k in data and data[k] not in (None, "")
        }
        if "address" in data:
            params["changes"] = {k: data[k] for k in ("name", "address", "grade") if data.get(k)}
        return params


class ViolationForm(forms.Form):
    kind = forms.ChoiceField(label=_("违约类型"), choices=ViolationKind.choices)
    found_on = forms.DateField(label=_("查实日期"), widget=DATE, initial=date.today)
    finding = forms.CharField(label=_("查实情况"), widget=forms.Textarea(attrs={"rows": 3}))
    recover_yuan = YuanField(label=_("追回金额（元）"), initial="0")
    deduct_yuan = YuanField(label=_("扣减支付金额（元）"), initial="0")
    deduction_month = forms.DateField(label=_("扣款月份（任一日期，按所在月）"), widget=DATE)
    action = forms.ChoiceField(label=_("协议处理"), choices=ViolationAction.choices)


class TemplateForm(forms.Form):
    provider_kind = forms.ChoiceField(label=_("机构类别"), choices=ProviderKind.choices)
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("协议正文"), widget=forms.Textarea(attrs={"rows": 10}))
    effective_from = forms.DateField(label=_("启用日期"), widget=DATE)
    term_months = forms.IntegerField(
        label=_("协议期限（月）"), min_value=1, max_value=60, initial=12
    )


def add_rule_error(form: forms.Form, exc: BusinessRuleError) -> None:
    """Show a service's refusal beside its field when the form has it, else on top."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.text())


class AssessmentForm(forms.Form):
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, indicators: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = [i.code for i in indicators]
        for i in indicators:
            self.fields[i.code] = forms.DecimalField(
                label=f"{i.code} {i.name}（{_('权重')} {i.weight}%）",
                min_value=0,
                max_value=100,
                decimal_places=2,
            )

    def scores(self) -> dict[str, Any]:
        return {code: self.cleaned_data[code] for code in self.codes}
