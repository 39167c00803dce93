"""The designation lifecycle as one explicit state machine (国家医保局令第2号、第3号).

Every change of state goes through `transition()`: it finds the action in the table,
refuses it when the provider is in the wrong state or a guard says no (each guard names
its rule), applies the action's effect and writes one `ProviderEvent` (who, when, from,
to, why). Nothing else writes `Provider.state`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pooling.kernel.dates import add_months, add_working_days
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, SystemActor, require, staff_user
from pooling.kernel.scoping import unrestricted
from providers.choices import Initiator, State
from providers.models import Provider, ProviderEvent
from providers.services import agreements
from providers.services.handling import require_handler

SUSPENSION_MAX_DAYS = 180
RESUME_REVIEW_WORKING_DAYS = 10
EVALUATION_MONTHS = 3
NOTICE_MONTHS = 3
MIN_OPERATING_MONTHS = 3
REAPPLY_AFTER_TERMINATION_YEARS = 3

UNKNOWN_ACTION = _("未知的操作：%(action)s")
WRONG_STATE = _("“%(action)s”只能在以下状态办理：%(allowed)s；当前状态为“%(state)s”")
REASON_REQUIRED = _("“%(action)s”须填写说明")
OPERATED_TOO_SHORT = _(
    "申请定点的机构须正式运营满3个月（开业日期 %(opened)s，最早可于 %(earliest)s 申请）"
)
TERMINATED_RECENTLY = _(
    "该机构 %(terminated)s 被解除协议，3年内不得申请定点（%(earliest)s 后可再申请）"
)
EVALUATION_LATE = _(
    "评估应在受理之日起3个月内完成（补充材料时间不计入），期限为 %(due)s；逾期办理须填写逾期说明"
)
DOCUMENTS_BEFORE_REQUEST = _("材料补齐日期不能早于通知补充材料的日期 %(since)s")
PUBLIC_HOSPITAL_MAY_NOT_ASK = _("公立医疗机构不得申请暂停或解除医保协议")
NOTICE_TOO_SHORT = _(
    "定点机构申请暂停、解除或不续签协议须提前3个月提出（申请日期 %(asked)s，最早生效 %(earliest)s）"
)
REQUEST_DATE_REQUIRED = _("定点机构申请的，须填写机构提出申请的日期")
SUSPENSION_OVER = _("暂停已满180天（%(since)s 起），协议应解除，不能再恢复")
SUSPENSION_NOT_OVER = _("暂停未满180天（%(since)s 起，%(end)s 届满），不能按期满解除")
RESUME_REVIEW_LATE = _("恢复申请应在10个工作日内审核完毕，期限为 %(due)s；逾期办理须填写逾期说明")
PERFORMANCE_BEFORE_TERM = _("协议起始日 %(start)s 之前不能开始履约")
NOT_RENEW_AFTER_TERM = _("协议到期不续签的生效日期不能早于协议终止日次日 %(earliest)s")
DATE_BEFORE_LAST = _("生效日期 %(on)s 不能早于上一状态的生效日期 %(last)s")
CHANGE_NOTHING = _("变更须至少修改一项登记信息")
CHANGEABLE = ("name", "address", "grade")


@dataclass
class Ctx:
    provider: Provider
    actor: Actor
    on: date
    reason: str
    action: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    label: Any = ""
    data: dict[str, Any] = field(default_factory=dict)


Guard = Callable[[Ctx], None]


@dataclass(frozen=True)
class Transition:
    action: str
    label: Any
    sources: tuple[State, ...]
    target: State | None  # None: the state does not change (renew, change)
    guards: tuple[Guard, ...] = ()
    effect: Callable[[Ctx], None] | None = None


# ---- guards: each refuses with the rule it enforces ----------------------------------


def handler_only(ctx: Ctx) -> None:
    require_handler(actor=ctx.actor, region=ctx.provider.handling_region)


def reason_required(ctx: Ctx) -> None:
    if not ctx.reason.strip():
        raise BusinessRuleError(
            REASON_REQUIRED, code="reason_required", field="reason", params={"action": ctx.label}
        )


def operated_three_months(ctx: Ctx) -> None:
    earliest = add_months(ctx.provider.opened_on, MIN_OPERATING_MONTHS)
    if ctx.on < earliest:
        raise BusinessRuleError(
            OPERATED_TOO_SHORT,
            code="operated_too_short",
            params={"opened": ctx.provider.opened_on, "earliest": earliest},
        )


def not_terminated_recently(ctx: Ctx) -> None:
    last = (
        ProviderEvent.objects.filter(provider=ctx.provider, to_state=State.TERMINATED)
        .order_by("-effective_on")
        .first()
    )
    if last is None:
        return
    earliest = add_months(last.effective_on, 12 * REAPPLY_AFTER_TERMINATION_YEARS)
    if ctx.on < earliest:
        raise BusinessRuleError(
            TERMINATED_RECENTLY,
            code="terminated_recently",
            params={"terminated": last.effective_on, "earliest": earliest},
        )


def evaluation_due(provider: Provider) -> date | None:
    """3 months from acceptance, plus the days spent supplying documents (not counted)."""
    if provider.accepted_on is None:
        return None
    due = add_months(provider.accepted_on, EVALUATION_MONTHS) + timedelta(days=provider.paused_days)
    if provider.state == State.SUPPLEMENTING and provider.supplement_since is not None:
        due += date.today() - provider.supplement_since
    return due


def within_evaluation_limit(ctx: Ctx) -> None:
    due = evaluation_due(ctx.provider)
    if due is not None and ctx.on > due and not ctx.reason.strip():
        raise BusinessRuleError(
            EVALUATION_LATE, code="evaluation_late", field="reason", params={"due": due}
        )
    ctx.data["evaluation_due"] = str(due)


def provider_request_rules(ctx: Ctx) -> None:
    """A provider asks 3 months ahead; a public hospital may not ask to suspend or end."""
    if ctx.params.get("initiator", Initiator.AGENCY) != Initiator.PROVIDER:
        return
    if ctx.action in ("suspend", "terminate") and ctx.provider.is_public_hospital:
        raise BusinessRuleError(PUBLIC_HOSPITAL_MAY_NOT_ASK, code="public_hospital")
    _notice_given(ctx, ctx.on)


def _notice_given(ctx: Ctx, effective: date) -> None:
    asked = ctx.params.get("requested_on")
    if asked is None:
        raise BusinessRuleError(REQUEST_DATE_REQUIRED, code="requested_on", field="requested_on")
    earliest = add_months(asked, NOTICE_MONTHS)
    if effective < earliest:
        raise BusinessRuleError(
            NOTICE_TOO_SHORT,
            code="notice_too_short",
            field="requested_on",
            params={"asked": asked, "earliest": earliest},
        )
    ctx.data["requested_on"] = str(asked)


def suspension_not_over(ctx: Ctx) -> None:
    since = ctx.provider.suspended_on
    if since is not None and ctx.on > since + timedelta(days=SUSPENSION_MAX_DAYS):
        raise BusinessRuleError(SUSPENSION_OVER, code="suspension_over", params={"since": since})


def suspension_over(ctx: Ctx) -> None:
    since = ctx.provider.suspended_on
    end = since + timedelta(days=SUSPENSION_MAX_DAYS) if since else None
    if end is None or ctx.on <= end:
        raise BusinessRuleError(
            SUSPENSION_NOT_OVER, code="suspension_not_over", params={"since": since, "end": end}
        )


def resume_review_due(provider: Provider) -> date | None:
    if provider.resume_applied_on is None:
        return None
    return add_working_days(provider.resume_applied_on, RESUME_REVIEW_WORKING_DAYS)


def resume_reviewed_in_time(ctx: Ctx) -> None:
    due = resume_review_due(ctx.provider)
    if due is not None and ctx.on > due and not ctx.reason.strip():
        raise BusinessRuleError(
            RESUME_REVIEW_LATE, code="resume_review_late", field="reason", params={"due": due}
        )


def performance_from_term_start(ctx: Ctx) -> None:
    current = agreements.current_agreement(ctx.provider)
    if current is not None and ctx.on < current.term_start:
        raise BusinessRuleError(
            PERFORMANCE_BEFORE_TERM, code="before_term", params={"start": current.term_start}
        )


def not_renew_rules(ctx: Ctx) -> None:
    current = agreements.current_agreement(ctx.provider)
    if current is None:
        return
    earliest = current.term_end + timedelta(days=1)
    if ctx.on < earliest:
        raise BusinessRuleError(
            NOT_RENEW_AFTER_TERM, code="not_renew_early", params={"earliest": earliest}
        )
    if ctx.params.get("initiator", Initiator.AGENCY) == Initiator.PROVIDER:
        _notice_given(ctx, current.term_end)


# ---- effects ---------------------------------------------------------------------------


def _accept(ctx: Ctx) -> None:
    ctx.provider.accepted_on = ctx.on
    ctx.provider.paused_days = 0
    ctx.provider.supplement_since = None


def _ask_documents(ctx: Ctx) -> None:
    ctx.provider.supplement_since = ctx.on


def _documents_in(ctx: Ctx) -> None:
    since = ctx.provider.supplement_since
    if since is not None:
        if ctx.on < since:
            raise BusinessRuleError(
                DOCUMENTS_BEFORE_REQUEST, code="documents_date", params={"since": since}
            )
        ctx.provider.paused_days += (ctx.on - since).days
        ctx.data["paused_days"] = (ctx.on - since).days
    ctx.provider.supplement_since = None


def _sign(ctx: Ctx) -> None:
    agreement = agreements.agreement_create(
        provider=ctx.provider,
        actor=ctx.actor,
        signed_on=ctx.on,
        term_start=ctx.params.get("term_start") or ctx.on,
        agency_signatory=ctx.params.get("agency_signatory", ""),
        provider_signatory=ctx.params.get("provider_signatory", ""),
    )
    ctx.data.update(agreement=agreement.number, template_version=agreement.template.version)


def _renew(ctx: Ctx) -> None:
    agreement = agreements.agreement_renew(
        provider=ctx.provider,
        actor=ctx.actor,
        signed_on=ctx.on,
        agency_signatory=ctx.params.get("agency_signatory", ""),
        provider_signatory=ctx.params.get("provider_signatory", ""),
    )
    ctx.data.update(agreement=agreement.number, term_end=str(agreement.term_end))


def _publish(ctx: Ctx) -> None:
    # Publication files the designation with the city agency (Yancheng art. 13: 备案).
    ctx.provider.filed_on = ctx.on


def _suspend(ctx: Ctx) -> None:
    ctx.provider.suspended_on = ctx.on
    ctx.data["initiator"] = ctx.params.get("initiator", Initiator.AGENCY)


def _apply_resume(ctx: Ctx) -> None:
    ctx.provider.resume_applied_on = ctx.on


def _resume(ctx: Ctx) -> None:
    ctx.provider.suspended_on = None
    ctx.provider.resume_applied_on = None


def _reject_resume(ctx: Ctx) -> None:
    ctx.provider.resume_applied_on = None


def _end_agreement(ctx: Ctx) -> None:
    current = agreements.current_agreement(ctx.provider)
    if current is not None and current.term_end >= ctx.on:
        current.ended_on = ctx.on
        current.save(update_fields=["ended_on"])
    ctx.provider.suspended_on = None
    ctx.provider.resume_applied_on = None
    ctx.data["initiator"] = ctx.params.get("initiator", Initiator.AGENCY)


def _change(ctx: Ctx) -> None:
    changes = {
        k: v
        for k, v in (ctx.params.get("changes") or {}).items()
        if k in CHANGEABLE and v is not None and getattr(ctx.provider, k) != v
    }
    if not changes:
        raise BusinessRuleError(CHANGE_NOTHING, code="change_nothing")
    ctx.data["changes"] = {k: [getattr(ctx.provider, k), v] for k, v in changes.items()}
    for key, value in changes.items():
        setattr(ctx.provider, key, value)


S = State
_ENDABLE = (S.SIGNED, S.PUBLISHED, S.PERFORMING, S.SUSPENDED, S.RESUME_REVIEW)
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "apply",
            _("提出定点申请"),
            (S.REGISTERED, S.REJECTED, S.EXPIRED, S.TERMINATED),
            S.APPLIED,
            (handler_only, operated_three_months, not_terminated_recently),
        ),
        Transition("accept", _("受理"), (S.APPLIED,), S.EVALUATING, (handler_only,), _accept),
        Transition(
            "not_accept", _("不予受理"), (S.APPLIED,), S.REJECTED, (handler_only, reason_required)
        ),
        Transition(
            "request_documents",
            _("通知补充材料"),
            (S.EVALUATING,),
            S.SUPPLEMENTING,
            (reason_required,),
            _ask_documents,
        ),
        Transition(
            "documents_received",
            _("材料已补齐"),
            (S.SUPPLEMENTING,),
            S.EVALUATING,
            (),
            _documents_in,
        ),
        Transition(
            "evaluate_pass",
            _("评估通过"),
            (S.EVALUATING,),
            S.NEGOTIATING,
            (within_evaluation_limit,),
        ),
        Transition(
            "evaluate_fail",
            _("评估不通过"),
            (S.EVALUATING,),
            S.REJECTED,
            (reason_required, within_evaluation_limit),
        ),
        Transition(
            "negotiation_fail", _("谈判未达成"), (S.NEGOTIATING,), S.REJECTED, (reason_required,)
        ),
        Transition("sign", _("签订协议"), (S.NEGOTIATING,), S.SIGNED, (), _sign),
        Transition("publish", _("公布并报市经办机构备案"), (S.SIGNED,), S.PUBLISHED, (), _publish),
        Transition(
            "start_performance",
            _("开始履约"),
            (S.PUBLISHED,),
            S.PERFORMING,
            (performance_from_term_start,),
        ),
        Transition("renew", _("续签协议"), (S.PERFORMING,), None, (), _renew),
        Transition("change", _("协议变更"), (S.PERFORMING,), None, (reason_required,), _change),
        Transition(
            "suspend",
            _("暂停协议"),
            (S.PERFORMING,),
            S.SUSPENDED,
            (reason_required, provider_request_rules),
            _suspend,
        ),
        Transition(
            "apply_resume",
            _("申请恢复"),
            (S.SUSPENDED,),
            S.RESUME_REVIEW,
            (suspension_not_over,),
            _apply_resume,
        ),
        Transition(
            "resume",
            _("审核通过，恢复协议"),
            (S.RESUME_REVIEW,),
            S.PERFORMING,
            (suspension_not_over, resume_reviewed_in_time),
            _resume,
        ),
        Transition(
            "reject_resume",
            _("审核不通过"),
            (S.RESUME_REVIEW,),
            S.SUSPENDED,
            (reason_required,),
            _reject_resume,
        ),
        Transition(
            "terminate",
            _("解除协议"),
            _ENDABLE,
            S.TERMINATED,
            (reason_required, provider_request_rules),
            _end_agreement,
        ),
        Transition(
            "expire_suspension",
            _("暂停期满解除"),
            (S.SUSPENDED, S.RESUME_REVIEW),
            S.TERMINATED,
            (suspension_over,),
            _end_agreement,
        ),
        Transition("not_renew", _("到期不续签"), (S.PERFORMING,), S.EXPIRED, (not_renew_rules,)),
    ]
}


def available_actions(provider: Provider) -> list[Transition]:
    """The actions the table allows from the provider's state (guards are checked on submit)."""
    return [t for t in TRANSITIONS.values() if provider.state in t.sources]


def _last_effective(provider: Provider) -> date | None:
    # Registration is an entry in the register, not a step of the lifecycle: a clerk may
    # enter an application received last week after registering the provider today.
    last = provider.events.exclude(action="register").order_by("-effective_on", "-id").first()
    return last.effective_on if last else None


@transaction.atomic
def transition(
    *,
    provider_id: int,
    action: str,
    actor: Actor,
    on: date | None = None,
    reason: str = "",
    params: dict[str, Any] | None = None,
) -> Provider:
    """Move one provider through the lifecycle; refuses with the rule's message, audits on success."""
    require(actor, "provider.transition")
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise BusinessRuleError(UNKNOWN_ACTION, code="unknown_action", params={"action": action})
    # Scoped read: a clerk cannot reach another unit's provider (DoesNotExist → 404).
    provider = (
        Provider.objects.select_for_update().select_related("handling_region").get(pk=provider_id)
    )
    on = on or date.today()
    if provider.state not in spec.sources:
        raise BusinessRuleError(
            WRONG_STATE,
            code="wrong_state",
            params={
                "action": spec.label,
                "state": State(provider.state).label,
                "allowed": "、".join(str(State(s).label) for s in spec.sources),
            },
        )
    last = _last_effective(provider)
    if last is not None and on < last:
        raise BusinessRuleError(
            DATE_BEFORE_LAST, code="date_order", field="on", params={"on": on, "last": last}
        )
    ctx = Ctx(
        provider=provider,
        actor=actor,
        on=on,
        reason=reason,
        action=action,
        params=params or {},
        label=spec.label,
    )
    for guard in spec.guards:
        guard(ctx)
    if isinstance(actor, SystemActor):  # the event says which job acted, there being no person
        ctx.data["system_actor"] = actor.name
    from_state = provider.state
    if spec.effect is not None:
        spec.effect(ctx)
    provider.state = spec.target or from_state
    provider.full_clean(validate_unique=False)
    provider.save()
    ProviderEvent.objects.create(
        provider=provider,
        action=action,
        from_state=from_state,
        to_state=provider.state,
        effective_on=on,
        reason=reason.strip(),
        data=ctx.data,
        created_by=staff_user(actor),
    )
    return provider


def suspensions_expire(*, actor: Actor, on: date | None = None) -> list[int]:
    """End every agreement suspended for more than 180 days (daily task; idempotent)."""
    require(actor, "provider.transition")
    on = on or date.today()
    limit = on - timedelta(days=SUSPENSION_MAX_DAYS + 1)
    with unrestricted():
        due = list(
            Provider.objects.filter(
                state__in=(S.SUSPENDED, S.RESUME_REVIEW), suspended_on__lte=limit
            ).values_list("pk", flat=True)
        )
        for pk in due:
            transition(
                provider_id=pk,
                action="expire_suspension",
                actor=actor,
                on=on,
                reason=str(_("暂停满180天未恢复，协议自动解除")),
            )
    return due
