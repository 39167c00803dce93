"""Who may do what, decided in one table: capabilities, each named once, held by roles.

A service that changes money, policy, people or providers takes a required `actor` and
calls `require(actor, "cap.name")` before anything else; pages (`capability_required`),
the API (`HasCapability.of`), the admin (`RoleBackend` and `pooling.web.admin`),
the menu and templates (`{% if user|can:"cap.name" %}`) ask `can()` about the same
table, so a button a role cannot use is not shown and a request that slips through is
refused by the service anyway. Which *rows* (county scoping) is `pooling.kernel.scoping`.

An actor is a member of staff (`User`) or a `SystemActor`: a scheduled job names itself
and holds only the capabilities its job needs, so nothing runs with `None` = everything.
Superusers hold every capability (but still cannot be both maker and checker).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, Union

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import Role

if TYPE_CHECKING:
    from pooling.kernel.regions import User

CC, CA, BA, FI, AU = (
    Role.COUNTY_CLERK,
    Role.CITY_AGENCY,
    Role.BUREAU_ADMIN,
    Role.FINANCE,
    Role.AUDITOR,
)
HANDLERS = frozenset({CC, CA})  # the handling agencies: county and city
READ_ONLY_ROLES = frozenset(
    {AU}
)  # hold only reading capabilities; refused any POST (pooling.web.middleware)
CITY_FUND = frozenset({FI, BA})

NOT_ALLOWED = _("您的角色无权执行此操作")
CAPABILITY_DENIED = _("您的角色无权执行此操作：%(capability)s")
UNKNOWN_CAPABILITY = "未定义的权限：%s（见 pooling/kernel/permissions.py CAPABILITIES）"


@dataclass(frozen=True)
class Capability:
    label: Any  # what an administrator reads, in Chinese
    roles: frozenset[str]


def _cap(label: Any, *roles: str) -> Capability:
    return Capability(label, frozenset(roles))


# The one table. A county clerk holds each of theirs for their own county only (see `can`).
# "reserved": named now for the next issue (the monthly cycle); no service uses it yet.
CAPABILITIES: dict[str, Capability] = {
    # 经办 — handling
    "person.register": _cap(_("参保人员登记"), *HANDLERS),
    "person.change": _cap(_("修改参保人员信息、登记退休或死亡"), *HANDLERS),
    "employer.manage": _cap(_("参保单位登记与信息变更"), *HANDLERS),
    "enrolment.manage": _cap(_("参保登记、暂停、恢复与终止"), *HANDLERS),
    "contribution.declare": _cap(_("缴费申报"), *HANDLERS),
    "contribution.collect": _cap(_("征缴到账与居民个人缴费登记"), *HANDLERS),
    # Any county's clerk: a hospital's agency settles for people of every county (paid from their account).
    "account.post": _cap(_("个人账户划入与支付记账"), *HANDLERS),
    "account.sweep": _cap(_("个人账户记账归集入基金账簿"), *CITY_FUND),
    # The receiving county opens (and may withdraw) a transfer; the sending county releases or objects.
    "transfer.request": _cap(_("受理市内转移接续申请与撤销（转入地）"), *HANDLERS),
    "transfer.release": _cap(_("市内转移接续转出确认或提出异议（转出地）"), *HANDLERS),
    "referral.apply": _cap(_("受理转诊与转外就医备案"), *HANDLERS),
    "referral.decide": _cap(_("审核或撤销转诊与转外就医备案"), *HANDLERS),
    "import.run": _cap(_("批量导入经办数据"), *HANDLERS),
    "disease.register": _cap(_("门慢门特资格登记"), *HANDLERS),
    "reimbursement.enter": _cap(_("零星报销受理录入"), *HANDLERS),
    "reimbursement.approve": _cap(_("零星报销审核"), *HANDLERS),
    "allowance.enter": _cap(_("生育津贴受理录入"), *HANDLERS),
    "allowance.approve": _cap(_("生育津贴审核"), *HANDLERS),
    # 定点 — designated providers
    "provider.register": _cap(_("定点医药机构登记"), CC, CA, BA),
    "provider.transition": _cap(_("定点协议办理（申请、评估、签约、暂停、解除等）"), CC, CA, BA),
    "provider.violation": _cap(_("定点机构违约处理"), CC, CA, BA),
    "provider.assess": _cap(_("定点机构年度考核评分"), CC, CA, BA),
    "provider.credentials": _cap(_("签发、轮换与吊销定点机构接口凭证"), *HANDLERS),
    "agreement.template": _cap(_("发布全市统一协议范本"), CA, BA),
    "assessment.template": _cap(_("制定定点机构年度考核指标体系"), CA, BA),
    "handling.rules": _cap(_("维护定点机构经办归属规则"), BA),
    # 基本政策与待遇标准 — policy and benefit standards (maker-checker: two administrators)
    "policy.draft": _cap(_("起草、提交政策版本，导入统筹前参数"), BA),
    "policy.publish": _cap(_("复核发布或退回政策版本"), BA),
    "catalogue.draft": _cap(_("导入、提交医保目录版本"), BA),
    "catalogue.publish": _cap(_("复核发布或退回医保目录版本"), BA),
    # 基金 — the fund
    "fund.view": _cap(_("查看基金账簿与报表"), CA, BA, FI, AU),
    "fund.configure": _cap(_("设置基金账簿可支付月数预警线"), *CITY_FUND),
    "ledger.post": _cap(_("基金记账"), *CITY_FUND),
    "ledger.reverse": _cap(_("冲销记账凭证"), *CITY_FUND),
    "period.close": _cap(_("会计期间结账"), *CITY_FUND),
    "interest.accrue": _cap(_("录入利率与计息入账"), *CITY_FUND),
    "budget.submit": _cap(_("编报预算、月度用款计划与预算调整申请"), CC, CA, FI, BA),
    "budget.issue": _cap(_("批复下达预算、审核预算调整"), *CITY_FUND),
    "yearend.close": _cap(_("年终处理：县级缺口应收与动用风险准备金"), *CITY_FUND),
    "prepooling.manage": _cap(_("统筹前结余上解：结余缺口登记、分期与缴款"), *CITY_FUND),
    # 结算 — settlement, claims entered by clerks, and the monthly cycle
    "settlement.view": _cap(_("查看结算与月度清算"), CC, CA, BA, FI, AU),
    "settlement.settle": _cap(_("办理结算"), *HANDLERS),
    "settlement.reverse": _cap(_("结算冲正"), *HANDLERS),
    "settlement.run": _cap(_("发起、续跑月度清算"), CA, FI, BA),
    "settlement.adjust": _cap(_("对已结账月份发起调整清算"), CA, FI, BA),
    # 系统 — the system itself
    "audit.view": _cap(_("查看审计日志"), BA, AU),
    "api.docs": _cap(_("查看接口文档"), CA, BA, FI, AU),
    "schedule.manage": _cap(_("维护定时任务"), BA),
    "system.view": _cap(_("查看定时任务与系统运行状态"), CA, BA, AU),
    "staff.view": _cap(_("查看人员账号"), AU),
    "access.view": _cap(_("查看登录记录与登录锁定"), BA, AU),
    "access.lift": _cap(_("解除登录锁定"), BA),
}


def _capability(name: str) -> Capability:
    try:
        return CAPABILITIES[name]
    except KeyError:
        raise ImproperlyConfigured(UNKNOWN_CAPABILITY % name) from None


@dataclass(frozen=True)
class SystemActor:
    """A scheduled or system job acting in its own name, with only its own capabilities.

    Audit entries it causes name the job (`pooling.kernel.audit.system_job`).
    """

    name: str
    label: Any
    capabilities: frozenset[str]

    # Enough of a user's shape for code that asks who is acting.
    pk = None
    is_superuser = False
    is_active = True
    is_authenticated = True
    role = ""
    region_id = None

    def __str__(self) -> str:
        return str(self.label)


Actor: TypeAlias = Union["User", SystemActor]


def system_actor(name: str, label: Any, capabilities: Iterable[str]) -> SystemActor:
    caps = frozenset(capabilities)
    for cap in caps:
        _capability(cap)
    return SystemActor(name, label, caps)


SUSPENSIONS_JOB = system_actor(
    "providers.expire_suspensions", _("定时任务：暂停期满自动解除协议"), {"provider.transition"}
)
ACCOUNTS_JOB = system_actor(
    "enrollment.allocate_accounts_month", _("定时任务：个人账户月度划入"), {"account.post"}
)
SWEEP_JOB = system_actor(
    "enrollment.sweep_account_postings",
    _("定时任务：个人账户记账归集入基金账簿"),
    {"account.sweep", "ledger.post"},
)
# A transfer the sending county neither released nor objected to by its deadline completes in this name.
TRANSFERS_JOB = system_actor(
    "enrollment.complete_due_transfers", _("定时任务：转移逾期未确认自动办结"), {"transfer.release"}
)
DEMO_LOADER = system_actor("load_demo", _("演示数据装载"), CAPABILITIES)
# The national interface (settlement/hsa): a provider's system, signed in with its credential,
# settles and reverses its own visits (the credential scopes which); money moves in this name.
HSA_GATEWAY = system_actor(
    "settlement.hsa",
    _("医保结算接口（定点机构系统）"),
    {"settlement.settle", "settlement.reverse", "account.post"},
)
# The monthly cycle (settlement/cycle): started by a person or by beat, its shards move money in this name.
CYCLE_JOB = system_actor(
    "settlement.cycle",
    _("月度清算"),
    {
        "settlement.view",
        "settlement.run",
        "ledger.post",
        "account.post",
        "account.sweep",
        "period.close",
        "prepooling.manage",
    },
)
SYSTEM_ACTORS = {
    job.name: job
    for job in (
        SUSPENSIONS_JOB,
        ACCOUNTS_JOB,
        SWEEP_JOB,
        TRANSFERS_JOB,
        DEMO_LOADER,
        HSA_GATEWAY,
        CYCLE_JOB,
    )
}  # the audit page names them


def can(actor: Any, capability: str, *, county: str | None = None) -> bool:
    """Does `actor` hold `capability` (for `county`, when a county clerk asks)?"""
    cap = _capability(capability)
    if isinstance(actor, SystemActor):
        return capability in actor.capabilities
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if actor.role not in cap.roles:
        return False
    if actor.role == CC:  # bound to their handling unit; without one they hold nothing
        return bool(actor.region_id) and (county is None or county == actor.region_id)
    return True


def _denied(capability: str) -> str:
    return str(CAPABILITY_DENIED) % {"capability": CAPABILITIES[capability].label}


denied_message = lazy(_denied, str)  # rendered in the reader's language (bilingual API errors)


def require(actor: Any, capability: str, *, county: str | None = None) -> None:
    """Refuse with PermissionDenied naming the capability, unless `actor` holds it."""
    if not can(actor, capability, county=county):
        raise PermissionDenied(denied_message(capability))


def staff_user(actor: Any) -> User | None:
    """The member of staff behind an actor, for `created_by` columns (None for a system job)."""
    return None if isinstance(actor, SystemActor) or getattr(actor, "pk", None) is None else actor


# --- the admin's model permissions, from the same table ---------------------------------


@dataclass(frozen=True)
class ModelRule:
    """Who may see and write a model in the admin.

    view: the capability to see it (None: every staff role). write: the capability for
    `writes` (add, change) — only for models whose admin saves through a service.
    superuser_only: accounts, groups and regions, which superusers alone maintain (and
    may delete).
    """

    view: str | None = None
    write: str | None = None
    writes: frozenset[str] = frozenset({"add", "change"})
    superuser_only: bool = False


# By "app_label.model", else by "app_label", else read-only for every staff role.
# Rule data (templates, handling rules, remittance rules, catalogues, policy…) has no
# `write`: it changes only through its service, on its page or in an admin action.
MODEL_RULES: dict[str, ModelRule] = {
    "funds": ModelRule(view="fund.view"),
    "funds.book": ModelRule(view="fund.view", write="fund.configure", writes=frozenset({"change"})),
    "funds.interestrate": ModelRule(view="fund.view", write="interest.accrue"),
    "funds.prepoolingposition": ModelRule(view="fund.view", write="prepooling.manage"),
    "auditlog": ModelRule(view="audit.view"),
    "axes": ModelRule(
        view="access.view"
    ),  # lockouts are lifted by an admin action calling lockouts_lift
    "django_celery_beat": ModelRule(view="system.view", write="schedule.manage"),
    "pooling.workerheartbeat": ModelRule(view="system.view"),
    "pooling.user": ModelRule(view="staff.view", superuser_only=True),
    "auth": ModelRule(view="staff.view", superuser_only=True),
    "pooling.region": ModelRule(superuser_only=True),
}
STAFF_ROLES = frozenset(Role.values)


def model_rule(app_label: str, model: str) -> ModelRule:
    return MODEL_RULES.get(f"{app_label}.{model}") or MODEL_RULES.get(app_label) or ModelRule()


def model_permission(user: Any, app_label: str, model: str, action: str) -> bool:
    """May `user` view / add / change / delete this model in the admin? Nobody but a
    superuser deletes, and only what superusers alone maintain."""
    if user is None or not user.is_active or not getattr(user, "is_authenticated", False):
        return False
    rule = model_rule(app_label, model)
    if action == "view":
        return user.is_superuser or (
            user.role in STAFF_ROLES if rule.view is None else can(user, rule.view)
        )
    if action in ("add", "change"):
        if rule.superuser_only:
            return bool(user.is_superuser)
        return rule.write is not None and action in rule.writes and can(user, rule.write)
    return bool(user.is_superuser and rule.superuser_only)


class RoleBackend(ModelBackend):
    """Django auth backend: passwords as usual, model permissions from MODEL_RULES."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cache = "_role_perm_cache"
        if not hasattr(user_obj, cache):
            from django.contrib.auth.models import Permission

            perms = set()
            for app_label, codename in Permission.objects.values_list(
                "content_type__app_label", "codename"
            ):
                action, _sep, model = codename.partition("_")
                if model_permission(user_obj, app_label, model, action):
                    perms.add(f"{app_label}.{codename}")
            setattr(user_obj, cache, perms)
        return getattr(user_obj, cache)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return user_obj.is_active and any(
            p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj)
        )
