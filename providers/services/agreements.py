"""City-wide agreement templates (one per provider kind, versioned) and signed agreements."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from pooling.kernel.dates import add_months
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.integrity import unique_clash
from pooling.kernel.permissions import Actor, require, staff_user
from providers.models import Agreement, AgreementTemplate, Provider

NO_TEMPLATE = _("尚无%(kind)s适用的全市统一协议范本（启用日期不晚于 %(on)s）")
SIGNATORY_REQUIRED = _("须填写双方签订人")
ALREADY_RENEWED = _("该协议已续签，不能重复续签")
NO_AGREEMENT = _("该机构没有有效的服务协议")
VERSION_TAKEN = _("该类机构的协议范本刚被他人发布了新版本，请刷新后重试")


@transaction.atomic
def template_publish(
    *,
    actor: Actor,
    provider_kind: str,
    title: str,
    body: str,
    effective_from: date,
    term_months: int = 12,
) -> AgreementTemplate:
    """Add the next version of the city-wide template for one provider kind."""
    require(actor, "agreement.template")
    # Lock the kind's rows so two clerks cannot both take version n+1.
    list(AgreementTemplate.objects.select_for_update().filter(provider_kind=provider_kind))
    last = AgreementTemplate.objects.filter(provider_kind=provider_kind).aggregate(
        v=Max("version")
    )["v"]
    template = AgreementTemplate(
        provider_kind=provider_kind,
        version=(last or 0) + 1,
        title=title,
        body=body,
        effective_from=effective_from,
        term_months=term_months,
        created_by=staff_user(actor),
    )
    template.full_clean(validate_unique=False, validate_constraints=False)
    # The kind's first version has no rows to lock: the unique index decides who was first.
    with unique_clash(BusinessRuleError(VERSION_TAKEN, code="version_taken")):
        template.save()
    return template


def template_in_force(*, provider_kind: str, on: date) -> AgreementTemplate:
    template = (
        AgreementTemplate.objects.filter(provider_kind=provider_kind, effective_from__lte=on)
        .order_by("-version")
        .first()
    )
    if template is None:
        from providers.choices import ProviderKind

        raise BusinessRuleError(
            NO_TEMPLATE,
            code="no_template",
            params={"kind": ProviderKind(provider_kind).label, "on": on},
        )
    return template


def current_agreement(provider: Provider) -> Agreement | None:
    """The latest agreement not ended early (a renewal follows its predecessor)."""
    return provider.agreements.filter(ended_on__isnull=True).order_by("-term_start").first()


def agreement_create(
    *,
    provider: Provider,
    actor: Actor,
    signed_on: date,
    term_start: date,
    agency_signatory: str,
    provider_signatory: str,
    renewal_of: Agreement | None = None,
) -> Agreement:
    """Sign an agreement on the template in force; its term is the template's term."""
    require(actor, "provider.transition")
    if not agency_signatory.strip() or not provider_signatory.strip():
        raise BusinessRuleError(SIGNATORY_REQUIRED, code="signatory", field="agency_signatory")
    template = template_in_force(provider_kind=provider.kind, on=signed_on)
    term_end = add_months(term_start, template.term_months) - timedelta(days=1)
    sequence = Agreement.objects.filter(provider=provider).count() + 1
    agreement = Agreement(
        provider=provider,
        template=template,
        term_start=term_start,
        term_end=term_end,
        number=f"{provider.national_code}-{term_start:%Y}-{sequence:02d}",
        signed_on=signed_on,
        agency_signatory=agency_signatory.strip(),
        provider_signatory=provider_signatory.strip(),
        renewal_of=renewal_of,
        created_by=staff_user(actor),
    )
    agreement.full_clean(validate_unique=False)
    agreement.save()
    return agreement


def agreement_renew(
    *,
    provider: Provider,
    actor: Actor,
    signed_on: date,
    agency_signatory: str,
    provider_signatory: str,
) -> Agreement:
    """A new agreement starting the day after the current one ends, on today's template."""
    current = current_agreement(provider)
    if current is None:
        raise BusinessRuleError(NO_AGREEMENT, code="no_agreement")
    # The head of the chain has not started yet: it is itself the renewal.
    if current.term_start > signed_on or Agreement.objects.filter(renewal_of=current).exists():
        raise BusinessRuleError(ALREADY_RENEWED, code="already_renewed")
    return agreement_create(
        provider=provider,
        actor=actor,
        signed_on=signed_on,
        term_start=current.term_end + timedelta(days=1),
        agency_signatory=agency_signatory,
        provider_signatory=provider_signatory,
        renewal_of=current,
    )
