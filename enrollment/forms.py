"""Forms of the clerk's pages. They only collect input; the services judge it, and a
`BusinessRuleError` comes back beside the field it names (see `ServiceForm.run`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.models import Employer, EmployerStatus, ReferralKind, SpecialGroup
from pooling.kernel import codes
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.regions import handling_units
from pooling.web.fields import CodeField, MonthField, YuanField

T = TypeVar("T")


def _id_number(value: str) -> str:
    return codes.check_id_number(value).id_number


class ServiceForm(forms.Form):
    def run(self, call: Callable[[], T]) -> T | None:
        """Call a service; put its refusal beside the field it names (or on top of the form)."""
        try:
            return call()
        except BusinessRuleError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, exc.text())
            return None


class CountyField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=handling_units(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class PersonForm(ServiceForm):
    county = CountyField(label=_("户籍经办单位"))
    id_number = CodeField(label=_("身份证号码"), check=_id_number)
    name = forms.CharField(label=_("姓名"), max_length=50)
    category = forms.ChoiceField(label=_("人员类别"), choices=PersonCategory.choices)
    special_group = forms.ChoiceField(
        label=_("特殊群体"), choices=SpecialGroup.choices, required=False
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)


class PersonEditForm(ServiceForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    category = forms.ChoiceField(label=_("人员类别"), choices=PersonCategory.choices)
    special_group = forms.ChoiceField(
        label=_("特殊群体"), choices=SpecialGroup.choices, required=False
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)


class EmployerEditForm(ServiceForm):
    name = forms.CharField(label=_("单位名称"), max_length=100)
    industry = forms.CharField(label=_("所属行业"), max_length=50, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=EmployerStatus.choices)


class EmployerForm(ServiceForm):
    county = CountyField(label=_("经办单位"))
    credit_code = CodeField(label=_("统一社会信用代码"), check=codes.check_credit_code)
    name = forms.CharField(label=_("单位名称"), max_length=100)
    industry = forms.CharField(label=_("所属行业"), max_length=50, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)


class EnrolForm(ServiceForm):
    scheme = forms.ChoiceField(
        label=_("险种"),
        choices=[
            (Scheme.EMPLOYEE.value, Scheme.EMPLOYEE.label),
            (Scheme.RESIDENT.value, Scheme.RESIDENT.label),
        ],
    )
    employer = forms.ModelChoiceField(
        label=_("参保单位（职工医保）"), queryset=Employer.objects.none(), required=False
    )
    start_month = MonthField(label=_("参保起始月"))

    def __init__(self, *args: Any, county_code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["employer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Employer.objects.filter(county_id=county_code, status="active").order_by(
            "name"
        )


class ResidentPaymentForm(ServiceForm):
    year = forms.IntegerField(label=_("缴费年度"), min_value=2000, max_value=2100)
    paid_on = forms.DateField(label=_("缴费日期"), widget=_date_input())


class EndEnrolmentForm(ServiceForm):
    end_month = MonthField(label=_("参保终止月"))


class LifeEventForm(ServiceForm):
    event = forms.ChoiceField(
        label=_("事项"), choices=[("retire", _("办理退休")), ("death", _("登记死亡"))]
    )
    on = forms.DateField(label=_("日期"), widget=_date_input())


class DeclarationMonthForm(ServiceForm):
    month = MonthField(label=_("费款所属期"))


class CollectionForm(ServiceForm):
    tax_ref = forms.CharField(label=_("税务到账流水号"), max_length=40)
    credit_code = CodeField(label=_("统一社会信用代码"), check=codes.check_credit_code)
    month = MonthField(label=_("费款所属期"))
    amount = YuanField(label=_("到账金额（元）"))
    received_on = forms.DateField(label=_("到账日期"), widget=_date_input())


class TransferForm(ServiceForm):
    id_number = CodeField(label=_("身份证号码"), check=_id_number)
    to_county = CountyField(label=_("转入经办单位"))
    effective_month = MonthField(label=_("转入起始月"))
    # The ground: one of the two, as the person's scheme needs (the service says which).
    new_employer = forms.ModelChoiceField(
        label=_("转入地参保单位（职工医保人员必填）"),
        queryset=Employer.objects.none(),
        required=False,
    )
    new_address = forms.CharField(
        label=_("转入地居住地址（居民医保人员必填）"), max_length=200, required=False
    )
    reason = forms.CharField(label=_("转移原因"), max_length=200, required=False)

    def __init__(self, *args: Any, county_code: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_employer"]
        assert isinstance(field, forms.ModelChoiceField)
        # The caller's own employers (scoped): the receiving county's, where the person goes.
        field.queryset = Employer.objects.filter(status=EmployerStatus.ACTIVE).order_by("name")
        county = self.fields["to_county"]
        assert isinstance(county, forms.ModelChoiceField)
        if county_code:  # a county clerk asks only for their own county
            county.queryset = handling_units().filter(code=county_code)


class ReasonForm(ServiceForm):
    """An irreversible step that the record must explain (stored, audited, shown)."""

    reason = forms.CharField(label=_("原因"), max_length=200)


class ReferralForm(ServiceForm):
    kind = forms.ChoiceField(label=_("备案类型"), choices=ReferralKind.choices)
    destination = forms.CharField(label=_("就医地/转往医院"), max_length=100)
    destination_area_code = forms.CharField(
        label=_("就医地行政区划代码"), max_length=6, required=False
    )
    diagnosis = forms.CharField(label=_("诊断/转诊理由"), max_length=200, required=False)
    valid_from = forms.DateField(label=_("有效期起"), widget=_date_input())
    valid_to = forms.DateField(label=_("有效期止"), widget=_date_input())


class DecisionForm(ServiceForm):
    decision = forms.ChoiceField(
        choices=[("approve", _("同意备案")), ("reject", _("不予备案")), ("revoke", _("撤销备案"))]
    )
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)
