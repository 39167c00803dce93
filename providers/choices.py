"""Code lists of designated-provider management (定点管理)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    HOSPITAL = "hospital", _("定点医疗机构（医院）")
    CLINIC = "clinic", _("定点医疗机构（诊所/门诊部）")
    PHARMACY = "pharmacy", _("定点零售药店")


class Grade(models.TextChoices):
    A = "A", _("甲等")
    B = "B", _("乙等")
    C = "C", _("丙等")
    NONE = "", _("未定等")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公立")
    PRIVATE = "private", _("民营")


class HospitalType(models.TextChoices):
    GENERAL = "general", _("综合医院")
    TCM = "tcm", _("中医医院")
    SPECIALTY = "specialty", _("专科医院")
    MATERNAL = "maternal", _("妇幼保健院")
    PRIMARY = "primary", _("基层医疗卫生机构")
    OTHER = "other", _("其他")


class State(models.TextChoices):
    """Where a provider stands in the designation lifecycle (国家医保局令第2号/第3号)."""

    REGISTERED = "registered", _("已登记")
    APPLIED = "applied", _("已申请")
    EVALUATING = "evaluating", _("已受理·评估中")
    SUPPLEMENTING = "supplementing", _("补充材料中")
    NEGOTIATING = "negotiating", _("协商谈判中")
    SIGNED = "signed", _("协议已签订")
    PUBLISHED = "published", _("已公布")
    PERFORMING = "performing", _("履约中")
    SUSPENDED = "suspended", _("已暂停")
    RESUME_REVIEW = "resume_review", _("恢复审核中")
    REJECTED = "rejected", _("未通过")
    EXPIRED = "expired", _("协议到期不续签")
    TERMINATED = "terminated", _("协议已解除")


# Providers whose designation is in force: the public list and mutual recognition.
DESIGNATED = (State.PUBLISHED, State.PERFORMING, State.SUSPENDED, State.RESUME_REVIEW)


class Initiator(models.TextChoices):
    AGENCY = "agency", _("经办机构")
    PROVIDER = "provider", _("定点机构申请")


class ViolationKind(models.TextChoices):
    OVERCHARGE = "overcharge", _("超标准收费")
    SWAP = "swap", _("串换药品/项目")
    FAKE = "fake", _("虚假就医/诱导住院")
    OUT_OF_SCOPE = "out_of_scope", _("违规结算目录外费用")
    RECORDS = "records", _("记录不实/拒不配合检查")
    OTHER = "other", _("其他")


class ViolationAction(models.TextChoices):
    NONE = "none", _("不处理协议")
    WARNING = "warning", _("约谈/限期整改")
    SUSPEND = "suspend", _("暂停协议")
    TERMINATE = "terminate", _("解除协议")
