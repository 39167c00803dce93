"""Forms of the settlement pages: they collect input; the services judge it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.forms import ServiceForm
from enrollment.models import Person
from pooling.kernel.choices import HospitalLevel
from pooling.web.fields import YuanField
from settlement.hsa.codes import INSUTYPES, MED_TYPES
from settlement.models import MaternityEvent, ReimbursementKind
from settlement.services.reimbursement import Item

LEVELS = [(level.value, level.label) for level in reversed(HospitalLevel)]  # 三级 first
NO_PERSON = _("未找到该身份证号码的参保人（或不属于本经办单位）")
BAD_QTY = _("数量应为正数")
ITEM_ROWS = 12


class PersonField(forms.CharField):
    """A person by ID number, as the clerk may see them (county scoping applies)."""

    def clean(self, value: Any) -> Person:
        number = super().clean(value).strip().upper()
        person = Person.objects.filter(id_number=number).first()
        if person is None:
            raise forms.ValidationError(NO_PERSON)
        return person


class ReimbursementForm(ServiceForm):
    person = PersonField(label=_("参保人身份证号码"), max_length=18)
    kind = forms.ChoiceField(label=_("报销类型"), choices=ReimbursementKind.choices)
    # The code tables hold Chinese; each name is translated when the form is drawn.
    insutype = forms.ChoiceField(label=_("险种"), choices=[(k, _(v)) for k, v in INSUTYPES.items()])
    med_type = forms.ChoiceField(
        label=_("医疗类别"), choices=[(k, _(v)) for k, v in MED_TYPES.items()]
    )
    hospital_name = forms.CharField(label=_("就医机构"), max_length=100)
    hospital_level = forms.ChoiceField(label=_("医院级别"), choices=LEVELS)
    hospital_area_code = forms.CharField(
        label=_("就医地行政区划代码"), max_length=6, required=False
    )
    begin_on = forms.DateField(
        label=_("就诊/入院日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_on = forms.DateField(
        label=_("出院日期（住院）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    diagnosis = forms.CharField(label=_("诊断"), max_length=100, required=False)
    invoice_nos = forms.CharField(label=_("发票号"), max_length=200, required=False)


class ItemForm(forms.Form):
    code = forms.CharField(label=_("医保目录编码"), max_length=50, required=False)
    name = forms.CharField(label=_("项目名称"), max_length=200, required=False)
    quantity = forms.CharField(label=_("数量"), max_length=12, required=False)
    price = YuanField(label=_("单价（元）"), max_length=14, required=False)
    on = forms.DateField(
        label=_("费用日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def item(self) -> Item | None:
        d = self.cleaned_data
        if not (d.get("code") or d.get("name")):
            return None
        try:
            quantity = Decimal(d.get("quantity") or "")
        except InvalidOperation:
            quantity = Decimal(0)
        price = d.get("price") or 0
        from pooling.kernel.money import round_fen

        return Item(
            code=d.get("code") or "—",
            name=d.get("name") or "",
            quantity=quantity,
            price_fen=price,
            amount_fen=round_fen(quantity * price),
            on=d.get("on"),
        )


ItemFormSet = forms.formset_factory(ItemForm, extra=ITEM_ROWS, max_num=200)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)


class AllowanceForm(ServiceForm):
    person = PersonField(label=_("参保职工身份证号码"), max_length=18)
    event = forms.ChoiceField(label=_("生育类型"), choices=MaternityEvent.choices)
    event_on = forms.DateField(
        label=_("生育（流产）日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    difficult_birth = forms.BooleanField(label=_("难产"), required=False)
    babies = forms.IntegerField(label=_("婴儿数"), min_value=1, max_value=9, initial=1)
