"""Annual assessment (年度考核): one city-wide weighted indicator set, scores per provider."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.permissions import Actor, require, staff_user
from providers.models import (
    AssessmentIndicator,
    AssessmentResult,
    AssessmentTemplate,
    DepositReleaseBand,
    Provider,
)
from providers.services.handling import require_handler

WEIGHTS_NOT_100 = _("各指标权重之和须为100（当前为 %(total)s）")
YEAR_TAKEN = _("%(year)s 年起用的考核指标体系已存在")
NO_ASSESSMENT_TEMPLATE = _("%(year)s 年度没有适用的考核指标体系")
MISSING_SCORES = _("缺少以下指标的得分：%(codes)s")
UNKNOWN_INDICATORS = _("未知的考核指标：%(codes)s")
SCORE_RANGE = _("指标 %(code)s 的得分须在0至100之间")


@transaction.atomic
def assessment_template_create(
    *,
    name: str,
    from_year: int,
    indicators: list[tuple[str, str, int]],
    bands: list[tuple[Decimal, Decimal]],
    actor: Actor,
) -> AssessmentTemplate:
    """A city-wide indicator set: (code, name, weight %) rows summing to 100, and release bands."""
    require(actor, "assessment.template")
    total = sum(weight for _code, _name, weight in indicators)
    if total != 100:
        raise BusinessRuleError(WEIGHTS_NOT_100, code="weights", params={"total": total})
    taken = BusinessRuleError(
        YEAR_TAKEN, code="year_taken", field="from_year", params={"year": from_year}
    )
    if AssessmentTemplate.objects.filter(from_year=from_year).exists():
        raise taken
    with unique_clash(taken):  # created meanwhile by another administrator
        template = AssessmentTemplate.objects.create(name=name, from_year=from_year)
    AssessmentIndicator.objects.bulk_create(
        AssessmentIndicator(template=template, code=c, name=n, weight=w) for c, n, w in indicators
    )
    for min_score, ratio in bands:
        band = DepositReleaseBand(template=template, min_score=min_score, release_ratio=ratio)
        band.full_clean()
        band.save()
    return template


def template_for_year(year: int) -> AssessmentTemplate:
    template = AssessmentTemplate.objects.filter(from_year__lte=year).order_by("-from_year").first()
    if template is None:
        raise BusinessRuleError(
            NO_ASSESSMENT_TEMPLATE, code="no_assessment_template", params={"year": year}
        )
    return template


def weighted_total(template: AssessmentTemplate, scores: dict[str, Decimal]) -> Decimal:
    """Σ score × weight / 100, half up to 0.01."""
    total = sum((scores[i.code] * i.weight for i in template.indicators.all()), Decimal(0))
    return (total / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def assessment_enter(
    *, actor: Actor, provider_id: int, year: int, scores: dict[str, Decimal]
) -> AssessmentResult:
    """Scores of one provider for one year, entered by its handling agency (Yancheng art. 15)."""
    require(actor, "provider.assess")
    # Locked: two entries for the same provider and year update one result, never race to insert two.
    provider = (
        Provider.objects.select_for_update().select_related("handling_region").get(pk=provider_id)
    )
    require_handler(actor=actor, region=provider.handling_region)
    template = template_for_year(year)
    codes = set(template.indicators.values_list("code", flat=True))
    if missing := sorted(codes - set(scores)):
        raise BusinessRuleError(
            MISSING_SCORES, code="missing_scores", params={"codes": "、".join(missing)}
        )
    if unknown := sorted(set(scores) - codes):
        raise BusinessRuleError(
            UNKNOWN_INDICATORS, code="unknown_indicators", params={"codes": "、".join(unknown)}
        )
    for code, score in scores.items():
        if not Decimal(0) <= score <= Decimal(100):
            raise BusinessRuleError(
                SCORE_RANGE, code="score_range", field=code, params={"code": code}
            )
    total = weighted_total(template, scores)
    result = AssessmentResult.objects.filter(
        provider=provider, year=year
    ).first() or AssessmentResult(provider=provider, year=year)
    result.template = template
    result.scores = {k: str(v) for k, v in scores.items()}
    result.total = total
    result.entered_by = staff_user(actor)
    result.full_clean(validate_unique=False)
    result.save()
    return result
