"""Every path of the policy schema has words (pooling.policy.labels), and paths read as words."""

from __future__ import annotations

import re

from pooling.policy.labels import LABELS, path_label, schema_paths
from tests.pooling.policy.policy_docs import demo_doc


def test_every_schema_path_has_a_chinese_label_and_no_label_is_left_over():
    paths = list(schema_paths())
    assert len(paths) > 80  # the walk reaches into $refs, table rows, oneOf branches and maps
    missing = [p for p in paths if p not in LABELS]
    assert missing == []
    assert set(LABELS) - set(paths) == set()  # a label for a field the schema lost is a stale one
    assert all(re.search(r"[\u4e00-\u9fff]", str(label)) for label in LABELS.values())


def test_a_problem_path_reads_as_words_rows_named_by_their_key():
    doc = demo_doc()
    assert path_label("$.benefits.inpatient[3].ratio_pct", doc) == (
        "待遇标准 · 住院待遇 · 职工基本医疗保险 在职职工 社区/基层 · 统筹基金支付比例"
    )
    assert (
        path_label("$.benefits.inpatient[3].ratio_pct")
        == "待遇标准 · 住院待遇 · 第 4 行 · 统筹基金支付比例"
    )
    assert path_label("$.resident.special_group_subsidy.dibao") == (
        "城乡居民基本医疗保险（筹资） · 特殊群体个人缴费资助 · 低保对象"
    )
    assert path_label("$.employee.personal_account.retiree_monthly[1].amount", doc) == (
        "职工基本医疗保险 · 个人账户 · 退休人员按月划入 · 70 岁起 · 每月划入额"
    )
    assert path_label("$") == "政策文件"
