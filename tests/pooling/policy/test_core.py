from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError

from pooling.kernel.errors import BusinessRuleError
from pooling.models import PolicyStatus, PolicyVersion
from pooling.policy.document import NO_POLICY, policy_in_force

pytestmark = pytest.mark.django_db


def test_it_reads_the_version_in_force_on_a_date(demo_policy):
    policy = policy_in_force(on=date(2026, 3, 1))
    # 7500.00 yuan × 60 % = 4500.00 yuan; × 300 % = 22500.00 yuan
    assert policy.employee.base_floor_fen == 450_000
    assert policy.employee.base_ceiling_fen == 2_250_000
    assert policy.employee.clamp_base(300_000) == 450_000
    assert policy.employee.retiree_monthly_fen(72) == 11_000
    assert policy.resident.individual_contribution_fen("resident_adult") == 40_000


def test_it_refuses_a_date_before_any_published_version(demo_policy):
    with pytest.raises(BusinessRuleError) as info:
        policy_in_force(on=date(2025, 12, 31))
    assert info.value.message == NO_POLICY


def test_it_refuses_publishing_without_a_second_approver(demo_policy, bureau_admin):
    with pytest.raises(IntegrityError):
        PolicyVersion.objects.create(
            code="self-approved",
            title="t",
            effective_from=date(2027, 1, 1),
            document={},
            status=PolicyStatus.PUBLISHED,
            drafted_by=bureau_admin,
            approved_by=bureau_admin,
        )


def test_a_batch_looks_each_date_up_once(demo_policy, django_assert_num_queries):
    from pooling.policy.document import policy_memo

    days = [date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), date(2026, 3, 1)]
    with django_assert_num_queries(len(days)):
        plain = [policy_in_force(on=d) for d in days]
    with django_assert_num_queries(2), policy_memo():
        with policy_memo():  # nested blocks share the outer memo
            memo = [policy_in_force(on=d) for d in days]
    assert memo == plain
