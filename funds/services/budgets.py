"""Budgets (以收定支、收支平衡、略有结余): counties compile, the city issues; changes to an
issued budget go through maker-checker; monthly fund-use plans roll up to the city."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funds.chart import EXPENSE_CATEGORIES, INCOME_CATEGORIES
from funds.models import Book, Budget, BudgetAdjustment, BudgetItem, MonthlyPlan
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import Actor, require, staff_user
from pooling.models import Region

NOT_DRAFT = _("预算已报送或已下达，不能直接修改；请提交预算调整")
NOT_SUBMITTED = _("只有已报送的预算可以批复下达")
DEFICIT_BUDGET = _("预算支出 %(expense)s 分超过收入 %(income)s 分，不符合以收定支、收支平衡的原则")
NOT_ISSUED = _("只有已下达的预算可以调整")
UNKNOWN_ITEM = _("不是预算科目：%(category)s")
NEGATIVE = _("金额不能为负数")
SAME_PERSON = _("预算调整须由申请人以外的人员审核（双人复核）")
ALREADY_DECIDED = _("该调整已审核")
BELOW_ZERO = _("调整后预算数不能为负数")
PLAN_SAME_PERSON = _("月度用款计划须由报送人以外的人员审批（双人复核）")

BUDGET_ITEMS = INCOME_CATEGORIES + EXPENSE_CATEGORIES


@transaction.atomic
def budget_save_draft(
    *, book: Book, county: Region, year: int, items: dict[str, int], actor: Actor
) -> Budget:
    """Create or change a county's draft budget; items are fen per budget category."""
    require(actor, "budget.submit", county=county.pk)
    budget, _created = Budget.objects.get_or_create(book=book, county=county, year=year)
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.status != Budget.DRAFT:
        raise BusinessRuleError(NOT_DRAFT, code="not_draft")
    for category, amount in items.items():
        if category not in BUDGET_ITEMS:
            raise BusinessRuleError(UNKNOWN_ITEM, code="category", params={"category": category})
        if type(amount) is not int or amount < 0:
            raise BusinessRuleError(NEGATIVE, code="amount", field=category)
        BudgetItem.objects.update_or_create(
            budget=budget, category=category, defaults={"amount_fen": amount}
        )
    return budget


def budget_totals(budget: Budget) -> tuple[int, int]:
    amounts = dict(budget.items.values_list("category", "amount_fen"))
    return (
        sum(amounts.get(c, 0) for c in INCOME_CATEGORIES),
        sum(amounts.get(c, 0) for c in EXPENSE_CATEGORIES),
    )


@transaction.atomic
def budget_submit(*, budget: Budget, actor: Actor) -> Budget:
    """Send a county's draft to the city for review; it cannot be edited afterwards."""
    require(actor, "budget.submit", county=budget.county_id)
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.status != Budget.DRAFT:
        raise BusinessRuleError(NOT_DRAFT, code="not_draft")
    budget.status = Budget.SUBMITTED
    budget.submitted_by = staff_user(actor)
    budget.save(update_fields=["status", "submitted_by"])
    return budget


@transaction.atomic
def budget_issue(*, budget: Budget, actor: Actor) -> Budget:
    """The city reviews and issues a county's budget: spending may not exceed income."""
    require(actor, "budget.issue")
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.status != Budget.SUBMITTED:
        raise BusinessRuleError(NOT_SUBMITTED, code="not_submitted")
    income, expense = budget_totals(budget)
    if expense > income:
        raise BusinessRuleError(
            DEFICIT_BUDGET, code="deficit", params={"income": income, "expense": expense}
        )
    budget.status = Budget.ISSUED
    budget.issued_by = staff_user(actor)
    budget.issued_at = timezone.now()
    budget.save(update_fields=["status", "issued_by", "issued_at"])
    return budget


@transaction.atomic
def adjustment_request(
    *, budget: Budget, category: str, delta_fen: int, reason: str, actor: Actor
) -> BudgetAdjustment:
    """Ask for a change to an issued budget; a second person decides (adjustment_decide)."""
    require(actor, "budget.submit", county=budget.county_id)
    budget = Budget.objects.get(pk=budget.pk)  # the status as stored, not as the caller last saw it
    if budget.status != Budget.ISSUED:
        raise BusinessRuleError(NOT_ISSUED, code="not_issued")
    if category not in BUDGET_ITEMS:
        raise BusinessRuleError(UNKNOWN_ITEM, code="category", params={"category": category})
    adjustment = BudgetAdjustment(
        budget=budget,
        category=category,
        delta_fen=delta_fen,
        reason=reason,
        requested_by=staff_user(actor),
    )
    adjustment.full_clean()
    adjustment.save()
    return adjustment


@transaction.atomic
def adjustment_decide(
    *, adjustment: BudgetAdjustment, approve: bool, actor: Actor
) -> BudgetAdjustment:
    """A second person approves (the item changes in the same transaction) or rejects."""
    require(actor, "budget.issue")
    adjustment = BudgetAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    if adjustment.status != BudgetAdjustment.PENDING:
        raise BusinessRuleError(ALREADY_DECIDED, code="decided")
    decider = staff_user(actor)
    if decider is None:  # four eyes are a person's: a system job never decides
        raise PermissionDenied(SAME_PERSON)
    if adjustment.requested_by_id == decider.pk:
        raise BusinessRuleError(SAME_PERSON, code="four_eyes")
    if approve:
        item, _created = BudgetItem.objects.select_for_update().get_or_create(
            budget=adjustment.budget, category=adjustment.category
        )
        if item.amount_fen + adjustment.delta_fen < 0:
            raise BusinessRuleError(BELOW_ZERO, code="below_zero")
        item.amount_fen += adjustment.delta_fen
        item.save(update_fields=["amount_fen"])
    adjustment.status = BudgetAdjustment.APPROVED if approve else BudgetAdjustment.REJECTED
    adjustment.decided_by = decider
    adjustment.decided_at = timezone.now()
    adjustment.save(update_fields=["status", "decided_by", "decided_at"])
    return adjustment


@transaction.atomic
def monthly_plan_submit(
    *, book: Book, county: Region, year: int, month: int, planned_expense_fen: int, actor: Actor
) -> MonthlyPlan:
    """A county's monthly fund-use plan (the city's plan is their sum); filing again replaces it."""
    require(actor, "budget.submit", county=county.pk)
    if type(planned_expense_fen) is not int or planned_expense_fen < 0:
        raise BusinessRuleError(NEGATIVE, code="amount", field="planned_expense_fen")
    plan, _created = MonthlyPlan.objects.update_or_create(
        book=book,
        county=county,
        year=year,
        month=month,
        defaults={
            "planned_expense_fen": planned_expense_fen,
            "submitted_by": staff_user(actor),
            "approved_by": None,
            "approved_at": None,
        },
    )  # a changed plan is approved anew
    return plan


@transaction.atomic
def monthly_plan_approve(*, plan: MonthlyPlan, actor: Actor) -> MonthlyPlan:
    """The city approves a county's filed plan; only an approved plan is disbursed."""
    require(actor, "budget.issue")
    plan = MonthlyPlan.objects.select_for_update().get(pk=plan.pk)
    approver = staff_user(actor)
    if approver is None:  # four eyes are a person's: a system job never approves
        raise PermissionDenied(PLAN_SAME_PERSON)
    if plan.submitted_by_id == approver.pk:
        raise BusinessRuleError(PLAN_SAME_PERSON, code="four_eyes")
    plan.approved_by, plan.approved_at = approver, timezone.now()
    plan.save(update_fields=["approved_by", "approved_at"])
    return plan
