"""For each capability: a service call that needs it, and where pages and the API show or
refuse it. Used by test_capabilities.py, which runs every probe as every role.

A probe's `service(world, actor)` calls the real service with real rows; the capability
check comes first, so without the capability it must be refused *naming that capability*,
and with it the call must get past the check (whatever the rules then say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from enrollment import services as enr
from enrollment.models import Referral, ReferralKind, Transfer
from enrollment.services import diseases
from funds.chart import Category
from funds.models import PrePoolingPosition
from funds.services import budgets, ledger, schedules, setup, yearend
from pooling.access.services import lockouts_lift
from pooling.benefits.catalogue import services as catalogue
from pooling.benefits.catalogue.importer import catalogue_import
from pooling.imports.services import batch_upload
from pooling.models import Region
from pooling.policy import services as policy
from providers.choices import ViolationKind
from providers.services import agreements, assessment, handling, lifecycle, register, violations
from settlement.cycle import runner
from settlement.models import MaternityAllowance, Reimbursement, Settlement
from settlement.services import allowance, credentials, reimbursement, reverse, settle
from tests.actors import SETUP
from tests.enrollment import factories as people
from tests.pooling.policy.policy_docs import demo_doc
from tests.providers.factories import make_provider

A, B = "320902", "320903"
CATALOGUE = "目录类别,编码,名称,甲乙类\n药品,XA01ABD075A002010100483,地喹氯铵含片,甲\n".encode()


class World:
    """The rows the probes act on, all in county A (clerk_a's), made on first use.
    `maker` drafted the policy and catalogue versions under review, so another
    administrator may review them."""

    def __init__(self, maker: Any) -> None:
        self.maker = maker
        self.county = Region.objects.get(code=A)

    @cached_property
    def person(self) -> Any:
        return people.person(self.county, "能力测试")

    @cached_property
    def enrolment(self) -> Any:
        return people.employee_enrolment(self.county, "能力测试参保")

    @cached_property
    def transfer_out(self) -> Any:  # from A into B: A's clerk releases or objects
        mover = people.person(self.county, "转出测试")
        return Transfer.objects.create(
            person=mover,
            from_county=self.county,
            to_county_id=B,
            effective_month=date(2026, 4, 1),
            new_address="盐都区新居",
        )

    @cached_property
    def referral(self) -> Any:
        return Referral.objects.create(
            county=self.county,
            person=self.person,
            kind=ReferralKind.REFERRAL,
            destination="南京鼓楼医院",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 3, 31),
        )

    @cached_property
    def provider(self) -> Any:
        return make_provider(self.county)

    @cached_property
    def book(self) -> Any:
        return {b.code: b for b in setup.books_ensure(area_code="320900", codes=["resident"])}[
            "resident"
        ]

    @cached_property
    def entry(self) -> Any:
        acct = setup.account_for(book=self.book, category=Category.INCOME_PREMIUM, county_code=A)
        cash = setup.account_for(book=self.book, category=Category.TREASURY_TRANSIT, county_code=A)
        return ledger.post_entry(
            key="probe:entry",
            book=self.book,
            memo="能力测试",
            entry_date=date(2026, 1, 5),
            lines=[ledger.dr(cash, 100, A), ledger.cr(acct, 100)],
            actor=SETUP,
        )

    @cached_property
    def budget(self) -> Any:
        return budgets.budget_save_draft(
            book=self.book,
            county=self.county,
            year=2026,
            items={Category.INCOME_PREMIUM: 100},
            actor=SETUP,
        )

    @cached_property
    def submitted_budget(self) -> Any:
        draft = budgets.budget_save_draft(
            book=self.book,
            county=self.county,
            year=2027,
            items={Category.INCOME_PREMIUM: 100},
            actor=SETUP,
        )
        return budgets.budget_submit(budget=draft, actor=SETUP)

    @cached_property
    def position(self) -> Any:
        return PrePoolingPosition.objects.create(
            rule=schedules.rules_ensure()[0], book=self.book, county=self.county, surplus_fen=1000
        )

    @cached_property
    def policy_draft(self) -> Any:
        return policy.policy_draft_import(document=demo_doc(code="PROBE-DRAFT"), actor=self.maker)

    @cached_property
    def policy_submitted(self) -> Any:
        version = policy.policy_draft_import(
            document=demo_doc(code="PROBE-SUBMITTED"), actor=self.maker
        )
        return policy.policy_submit(version=version, actor=self.maker)

    @cached_property
    def catalogue_draft(self) -> Any:
        return catalogue_import(
            data=CATALOGUE,
            filename="c.csv",
            code="PROBE-DRAFT",
            title="测试",
            effective_from=date(2026, 1, 1),
            actor=self.maker,
        )

    @cached_property
    def catalogue_submitted(self) -> Any:
        version = catalogue_import(
            data=CATALOGUE,
            filename="c.csv",
            code="PROBE-SUBMITTED",
            title="测试",
            effective_from=date(2026, 2, 1),
            actor=self.maker,
        )
        return catalogue.catalogue_submit(version=version, actor=self.maker)


Service = Callable[[World, Any], Any]


@dataclass(frozen=True)
class Probe:
    service: Service | None = None
    # (method, url): a page refused (403) without the capability, let through with it.
    page: tuple[str, str] | None = None
    # (url, marker): a page every signed-in role opens, showing `marker` (a button's link) to holders only.
    button: tuple[str, str] | None = None
    # (method, url): the API refuses (403) without the capability.
    api: tuple[str, str] | None = None
    # (admin model label, action): the admin allows it with the capability only.
    admin: tuple[str, str] | None = None


def _provider_spec(w: World) -> register.ProviderSpec:
    return register.ProviderSpec(
        kind="hospital",
        name="能力测试医院",
        national_code="H32090299999",
        credit_code="bad",
        location_region=w.county,
        address="",
        ownership="public",
        opened_on=date(2020, 1, 1),
        level="level1",
    )


def _violation() -> violations.ViolationSpec:
    return violations.ViolationSpec(
        kind=ViolationKind.OVERCHARGE,
        found_on=date(2026, 3, 1),
        finding="抽查",
        recover_fen=0,
        deduct_fen=0,
        deduction_month=date(2026, 3, 1),
    )


# URLs may name world rows: {person} {employer} {referral} {provider} {entry} {budget} {transfer_out}
# {catalogue}.
PROBES: dict[str, Probe] = {
    "person.register": Probe(
        lambda w, a: enr.person_register(
            county=w.county,
            id_number=people.make_id_number(),
            name="新人",
            category="in_service",
            actor=a,
        ),
        page=("get", "/enrollment/people/new/"),
        button=("/enrollment/people/", "/enrollment/people/new/"),
        api=("post", "/api/v1/enrollment/people/"),
    ),
    "person.change": Probe(
        lambda w, a: enr.person_update(
            person=w.person,
            name="改名",
            phone="",
            address="",
            category="in_service",
            special_group="",
            actor=a,
        ),
        page=("get", "/enrollment/people/{person}/edit/"),
        button=("/enrollment/people/{person}/", "/enrollment/people/{person}/edit/"),
    ),
    "employer.manage": Probe(
        lambda w, a: enr.employer_register(
            county=w.county, credit_code=people.make_credit_code(), name="新单位", actor=a
        ),
        page=("get", "/enrollment/employers/new/"),
        button=("/enrollment/employers/", "/enrollment/employers/new/"),
        api=("post", "/api/v1/enrollment/employers/"),
    ),
    "enrolment.manage": Probe(
        lambda w, a: enr.enrolment_suspend(enrolment=w.enrolment, reason="测试暂停", actor=a),
        page=("get", "/enrollment/people/{person}/enrol/"),
        button=("/enrollment/people/{person}/", "/enrollment/people/{person}/enrol/"),
        api=("post", "/api/v1/enrollment/enrolments/"),
    ),
    "contribution.declare": Probe(
        lambda w, a: enr.declaration_line_add(
            employer=w.enrolment.employer,
            month=date(2026, 1, 1),
            person=w.enrolment.person,
            declared_base_fen=500000,
            actor=a,
        ),
        page=("get", "/enrollment/employers/{employer}/declare/"),
        button=("/enrollment/employers/{employer}/", "/enrollment/employers/{employer}/declare/"),
        api=("post", "/api/v1/enrollment/declarations/"),
    ),
    "contribution.collect": Probe(
        lambda w, a: enr.resident_contribution_record(
            person=w.person, year=2026, paid_on=date(2026, 1, 5), actor=a
        ),
        page=("get", "/enrollment/collections/new/"),
        button=("/enrollment/declarations/", "/enrollment/collections/new/"),
        api=("post", "/api/v1/enrollment/collections/"),
    ),
    "account.post": Probe(
        lambda w, a: enr.account_pay(
            person=w.person, amount_fen=100, month=date(2026, 1, 1), key="probe:pay", actor=a
        )
    ),
    "account.sweep": Probe(
        lambda w, a: enr.account_postings_sweep(county_code=A, month=date(2026, 1, 1), actor=a)
    ),
    "transfer.request": Probe(
        lambda w, a: enr.transfer_request(
            id_number=w.person.id_number,
            to_county=Region.objects.get(code=B),
            effective_month=date(2026, 4, 1),
            actor=a,
        ),
        page=("get", "/enrollment/transfers/new/"),
        button=("/enrollment/transfers/", "/enrollment/transfers/new/"),
        api=("post", "/api/v1/enrollment/transfers/"),
    ),
    "transfer.release": Probe(
        lambda w, a: enr.transfer_release(transfer=w.transfer_out, actor=a),
        page=("post", "/enrollment/transfers/{transfer_out}/release/"),
        button=(
            "/enrollment/transfers/{transfer_out}/",
            "/enrollment/transfers/{transfer_out}/release/",
        ),
        api=("post", "/api/v1/enrollment/transfers/{transfer_out}/release/"),
    ),
    "referral.apply": Probe(
        lambda w, a: enr.referral_apply(
            person=w.person,
            kind="referral",
            destination="南京鼓楼医院",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 2, 1),
            actor=a,
        ),
        page=("get", "/enrollment/people/{person}/referral/"),
        button=("/enrollment/people/{person}/", "/enrollment/people/{person}/referral/"),
        api=("post", "/api/v1/enrollment/referrals/"),
    ),
    "referral.decide": Probe(
        lambda w, a: enr.referral_decide(referral=w.referral, approve=True, actor=a),
        page=("post", "/enrollment/referrals/{referral}/"),
        button=("/enrollment/referrals/{referral}/", 'value="approve"'),
        api=("post", "/api/v1/enrollment/referrals/{referral}/decide/"),
    ),
    "disease.register": Probe(
        lambda w, a: diseases.disease_registration_apply(
            person=w.person,
            disease_code="M00000",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 6, 30),
            actor=a,
        )
    ),
    "reimbursement.enter": Probe(
        lambda w, a: reimbursement.reimbursement_enter(
            person=w.person,
            kind="ooc_registered",
            insutype="310",
            med_type="21",
            hospital_name="南京鼓楼医院",
            hospital_level="level3",
            begin_on=date(2026, 1, 1),
            items=[],
            actor=a,
        ),
        page=("get", "/settlement/reimbursements/new/"),
        button=("/settlement/reimbursements/", "/settlement/reimbursements/new/"),
    ),
    # The decision is checked before the claim is read: an unsaved claim of county A will do.
    "reimbursement.approve": Probe(
        lambda w, a: reimbursement.reimbursement_decide(
            claim=Reimbursement(county_id=A), approve=True, note="", actor=a
        )
    ),
    "allowance.enter": Probe(
        lambda w, a: allowance.allowance_enter(
            person=w.person, event="birth", event_on=date(2026, 1, 1), actor=a
        ),
        page=("get", "/settlement/allowances/new/"),
        button=("/settlement/allowances/", "/settlement/allowances/new/"),
    ),
    "allowance.approve": Probe(
        lambda w, a: allowance.allowance_decide(
            claim=MaternityAllowance(county_id=A), approve=True, note="", actor=a
        )
    ),
    "import.run": Probe(
        lambda w, a: batch_upload(
            actor=a, kind="people", file=SimpleUploadedFile("p.csv", b"a\n1\n")
        ),
        page=("get", "/imports/upload/"),
        button=("/imports/", 'id="upload-form"'),
        api=("post", "/api/v1/imports/"),
    ),
    "provider.register": Probe(
        lambda w, a: register.provider_register(actor=a, spec=_provider_spec(w)),
        page=("get", "/providers/new/"),
        button=("/providers/", "/providers/new/"),
        api=("post", "/api/v1/providers/"),
    ),
    "provider.transition": Probe(
        lambda w, a: lifecycle.transition(
            provider_id=w.provider.pk, action="apply", actor=a, on=date(2026, 1, 5)
        ),
        page=("get", "/providers/{provider}/act/apply/"),
        button=("/providers/{provider}/", "/providers/{provider}/act/apply/"),
        api=("post", "/api/v1/providers/{provider}/transitions/"),
    ),
    "provider.violation": Probe(
        lambda w, a: violations.violation_record(
            actor=a, provider_id=w.provider.pk, spec=_violation()
        ),
        page=("get", "/providers/{provider}/violations/new/"),
        button=("/providers/{provider}/", "/providers/{provider}/violations/new/"),
    ),
    "provider.assess": Probe(
        lambda w, a: assessment.assessment_enter(
            actor=a, provider_id=w.provider.pk, year=2025, scores={}
        ),
        page=("get", "/providers/{provider}/assessment/"),
        button=("/providers/{provider}/", "/providers/{provider}/assessment/"),
    ),
    "provider.credentials": Probe(
        lambda w, a: credentials.credential_issue(provider=w.provider, label="能力测试", actor=a),
        page=("post", "/settlement/providers/{provider}/credentials/issue/"),
        button=(
            "/settlement/providers/{provider}/credentials/",
            "/settlement/providers/{provider}/credentials/issue/",
        ),
    ),
    "agreement.template": Probe(
        lambda w, a: agreements.template_publish(
            actor=a,
            provider_kind="hospital",
            title="范本",
            body="正文",
            effective_from=date(2026, 1, 1),
        ),
        page=("post", "/providers/templates/"),
        button=("/providers/templates/", 'name="provider_kind"'),
    ),
    "assessment.template": Probe(
        lambda w, a: assessment.assessment_template_create(
            name="指标", from_year=2031, indicators=[("A", "甲", 100)], bands=[], actor=a
        )
    ),
    "handling.rules": Probe(lambda w, a: handling.handling_rules_load(area_code="320900", actor=a)),
    "policy.draft": Probe(
        lambda w, a: policy.policy_submit(version=w.policy_draft, actor=a),
        page=("get", "/policy/upload/"),
        button=("/policy/", "/policy/upload/"),
        api=("post", "/api/v1/policies/import/"),
    ),
    "policy.publish": Probe(
        lambda w, a: policy.policy_reject(version=w.policy_submitted, actor=a, reason="退回"),
        page=("post", "/policy/v/PROBE-SUBMITTED/approve/"),
        api=("post", "/api/v1/policies/PROBE-SUBMITTED/reject/"),
    ),
    "catalogue.draft": Probe(
        lambda w, a: catalogue.catalogue_submit(version=w.catalogue_draft, actor=a),
        page=("get", "/policy/catalogues/import/"),
        button=("/policy/catalogues/", "/policy/catalogues/import/"),
        api=("post", "/api/v1/catalogues/{catalogue_draft}/submit/"),
    ),
    "catalogue.publish": Probe(
        lambda w, a: catalogue.catalogue_reject(
            version=w.catalogue_submitted, actor=a, reason="退回"
        ),
        page=("post", "/policy/catalogues/{catalogue_submitted}/reject/"),
        button=("/policy/catalogues/{catalogue_submitted}/", 'id="approve-catalogue"'),
        api=("post", "/api/v1/catalogues/{catalogue_submitted}/approve/"),
    ),
    "fund.view": Probe(
        page=("get", "/funds/"),
        button=("/", 'href="/funds/"'),
        api=("get", "/api/v1/funds/accounts/"),
        admin=("funds.account", "view"),
    ),
    "fund.configure": Probe(
        lambda w, a: setup.book_thresholds_set(
            book=w.book,
            danger_below=Decimal(3),
            warn_below=Decimal(6),
            warn_above=Decimal(15),
            actor=a,
        ),
        admin=("funds.book", "change"),
    ),
    "ledger.post": Probe(
        lambda w, a: ledger.post_entry(key="probe:post", book=w.book, lines=[], memo="x", actor=a),
        api=("post", "/api/v1/funds/entries/"),
    ),
    "ledger.reverse": Probe(
        lambda w, a: ledger.reverse_entry(entry=w.entry, actor=a),
        page=("post", "/funds/entry/{entry}/reverse/"),
    ),
    "period.close": Probe(
        lambda w, a: ledger.period_close(book=w.book, year=2026, month=1, actor=a),
        page=("post", "/funds/book/resident/close/"),
    ),
    "interest.accrue": Probe(
        lambda w, a: yearend.interest_accrue(book=w.book, year=2026, month=1, actor=a),
        admin=("funds.interestrate", "add"),
    ),
    "budget.submit": Probe(
        lambda w, a: budgets.budget_submit(budget=w.budget, actor=a),
        button=("/funds/budgets/{budget}/", 'value="submit"'),
    ),
    "budget.issue": Probe(
        lambda w, a: budgets.budget_issue(budget=w.submitted_budget, actor=a),
        button=("/funds/budgets/{submitted_budget}/", 'value="issue"'),
    ),
    "yearend.close": Probe(
        lambda w, a: yearend.reserve_cover(book=w.book, year=2026, amount_fen=1, actor=a)
    ),
    "prepooling.manage": Probe(
        lambda w, a: schedules.instalments_generate(position=w.position, actor=a),
        admin=("funds.prepoolingposition", "add"),
    ),
    "settlement.settle": Probe(
        lambda w, a: settle.settlement_settle(data=settle.SettleInput(visit=None), actor=a),  # type: ignore[arg-type]
        api=("post", "/api/v1/settlements/settle/"),
    ),
    "settlement.reverse": Probe(
        lambda w, a: reverse.settlement_reverse(settlement=Settlement(), reason="冲正", actor=a)
    ),
    "settlement.view": Probe(page=("get", "/settlement/"), button=("/", 'href="/settlement/"')),
    "settlement.run": Probe(
        lambda w, a: runner.run_start(month=date(2026, 1, 1), actor=a, dispatch=runner.no_dispatch),
        page=("post", "/settlement/cycle/start/"),
        button=("/settlement/cycle/", 'id="start-run"'),
    ),
    "settlement.adjust": Probe(
        lambda w, a: runner.run_start(
            month=date(2026, 1, 1), actor=a, adjust=True, dispatch=runner.no_dispatch
        ),
        page=("post", "/settlement/cycle/adjust/"),
        button=("/settlement/cycle/", 'id="start-adjustment"'),
    ),
    "audit.view": Probe(
        page=("get", "/policy/audit/"),
        button=("/", 'href="/policy/audit/"'),
        admin=("auditlog.logentry", "view"),
    ),
    "api.docs": Probe(
        page=("get", "/api/docs/"), button=("/", 'href="/api/docs/"'), api=("get", "/api/schema/")
    ),
    "schedule.manage": Probe(admin=("django_celery_beat.periodictask", "add")),
    "system.view": Probe(admin=("django_celery_beat.periodictask", "view")),
    "staff.view": Probe(admin=("pooling.user", "view")),
    "access.view": Probe(admin=("axes.accessattempt", "view")),
    "access.lift": Probe(lambda w, a: lockouts_lift(attempts=[], actor=a)),
}

# Named for the monthly cycle (the next issue); no service uses them yet.
RESERVED: set[str] = set()

WORLD_URL_KEYS = (
    "person",
    "referral",
    "transfer_out",
    "provider",
    "entry",
    "budget",
    "submitted_budget",
    "catalogue_draft",
    "catalogue_submitted",
)


def url(world: World, template: str) -> str:
    keys: dict[str, Any] = {}
    for key in WORLD_URL_KEYS:
        if "{" + key + "}" in template:
            keys[key] = getattr(world, key).pk
    if "{employer}" in template:
        keys["employer"] = world.enrolment.employer_id
    return template.format(**keys)
