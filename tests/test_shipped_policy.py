"""The ONE place the suite reads the shipped policy: ``checklists/policy.yaml`` (or the folder
PATROL_CHECKLISTS_DIR names) carries the seeds' figures, each checked against the sentence it comes from.

Every other test runs on the suite's own policy, ``tests/fixtures/policy.yaml`` (see tests/factories.py).
A company that changes a threshold in its policy.yaml sees exactly these tests fail, one per figure
it moved, and nothing else: the behaviour tests do not depend on the shipped figures.
"""
import os
from datetime import time
from decimal import Decimal

import pytest

from api.domain import policy as pol
from tests.factories import SHIPPED_CHECKLISTS_DIR

SHIPPED_POLICY = os.path.join(SHIPPED_CHECKLISTS_DIR, "policy.yaml")

# (path in the policy, the shipped figure, the seed file and the sentence it comes from)
SEED_FIGURES = [
    (("deductions", "yuan_per_point"), Decimal("5.00"),
     "004 4.2.1 违规责任人每被扣1分，罚款人民币伍圆，由财务部从员工下月工资中扣除。"),
    (("deductions", "tiers", 0, "tier"), "extra_fine",
     "004 4.2.2 违规责任人每月累计扣分达5~10分，加罚人民币贰拾圆。"),
    (("deductions", "tiers", 0, "min_points"), 5,
     "004 4.2.2 违规责任人每月累计扣分达5~10分，加罚人民币贰拾圆。"),
    (("deductions", "tiers", 0, "extra_fine"), Decimal("20.00"),
     "004 4.2.2 违规责任人每月累计扣分达5~10分，加罚人民币贰拾圆。"),
    (("deductions", "tiers", 1, "tier"), "sanction",
     "004 4.2.3 违规责任人每月累计扣分达11~15分，除按扣分进行处罚以外，另对其做出行政警告、行政罚款、行政记过等行政处分。"),
    (("deductions", "tiers", 1, "min_points"), 11,
     "004 4.2.3 违规责任人每月累计扣分达11~15分 ...（16–19 分 the seed leaves unstated: still this tier）"),
    (("deductions", "tiers", 1, "extra_fine"), Decimal("0.00"),
     "004 4.2.3 除按扣分进行处罚以外 ... 行政处分（no extra fine named）"),
    (("deductions", "tiers", 2, "tier"), "dismissal", "004 4.2.4 违规责任人每月累计扣分达20分以上，作开除处理。"),
    (("deductions", "tiers", 2, "min_points"), 20, "004 4.2.4 违规责任人每月累计扣分达20分以上，作开除处理。"),
    (("deductions", "tiers", 2, "extra_fine"), Decimal("0.00"), "004 4.2.4 作开除处理（no extra fine named）"),
    (("deductions", "posting", "min_points"), 5,
     "004 4.2.5 凡扣分达5分（含5分）以上或同一问题发生三次（含三次）以上，对其违规情况实施公布张贴。"),
    (("deductions", "posting", "same_problem_times"), 3,
     "004 4.2.5 凡扣分达5分（含5分）以上或同一问题发生三次（含三次）以上，对其违规情况实施公布张贴。"),
    (("deductions", "supervisor_split", "staff_percent"), 70,
     "004 4.2.6 按70/30原则进行处理，即责任人处罚70%，直属上司处罚30%。"),
    (("deductions", "supervisor_split", "supervisor_percent"), 30,
     "004 4.2.6 按70/30原则进行处理，即责任人处罚70%，直属上司处罚30%。"),
    (("deductions", "same_problem_brings_in_supervisor"), 3,
     "004 4.2.7 一个月内同一问题发生三次（含三次）以上，追究其直属上司连带责任。"),
    (("deductions", "ledger_due_day"), 5, "004 4.1.5 管理处每月1-5日汇总上月员工处罚情况报送公司财务部与工资挂钩。"),
    (("deductions", "count_points_per"), "person", "004 4.2.2 违规责任人每月累计扣分"),
    (("work_orders", "respond_hours", "emergency"), 2,
     "001 维修工单的分类与派工根据紧急程度分为紧急报修（2小时内响应）、普通报修（24小时内响应）和计划维修（定期安排）"),
    (("work_orders", "respond_hours", "normal"), 24, "001 普通报修（24小时内响应）"),
    (("work_orders", "respond_hours", "planned"), None, "001 计划维修（定期安排）: no response limit"),
    (("work_orders", "revisit_working_days"), 1,
     "002 维修完成后一个工作日内要求客服人员进行回访"),
    (("complaints", "desk_same_day"), True,
     "003 第十九条 凡是在客服中心工作范围之内的投诉处理时间，不得超过当日"),
    (("complaints", "transfer_days"), 3,
     "003 第十九条 本部门无法处理转交相关职能部门的，处理时间不得超过三天"),
    (("complaints", "transfer_days_kind"), "calendar", "003 第十九条 不得超过三天（calendar days: the seed says 天）"),
    (("complaints", "urgent_to_duty_manager"), True,
     "003 暂行规定 5B 特殊或紧急投诉 ... 应将业主/租户的投诉立即反映给当值的部门经理"),
    (("complaints", "special_days"), 3, "003 暂行规定 6 普通投诉的处理一般不过当日，特殊投诉的处理一般不超过三天。"),
    (("complaints", "special_days_kind"), "calendar", "003 暂行规定 6 一般不超过三天（calendar days）"),
    (("appeals", "levels", 0, "level"), "department_head", "004 4.3.2 若部门主管做出不公正处理，可向管理主任提出申诉。"),
    (("appeals", "levels", 1, "level"), "office_director", "004 4.3.3 若管理处主任做出不公正处理，可向管理处经理提出申诉"),
    (("appeals", "levels", 2, "level"), "office_manager", "004 3.4 管理处经理负责申诉处理。"),
    (("appeals", "retaliation_starts_at"), "office_director",
     "004 4.3.1 若相关检查考核人员采取不正当的手段对员工进行打击报复，受罚人员可向相关部门提出申诉。"),
    (("schemes",), ["deductions", "performance"], "004: 管理处客户服务质量考核办法 and 绩效考核作业指导书"),
    (("performance", "yuan_per_point"), Decimal("10.00"),
     "004 4.5.1 如员工当月发生违规行为，按1分10元计扣；如员工当月工作业绩突出，则按1分10元奖励"),
    (("performance", "categories"), {"dedication": 15, "coordination": 15, "innovation": 15, "discipline": 15,
                                     "teamwork_service": 15, "incidents_complaints": 25},
     "004 a)敬业精神与责任心（15分）b)组织指挥与协调能力（15分）c)创新能力与工作业绩（15分）"
     "d)工作态度与劳动纪律（15分）e)团队意识与服务意识（15分）f)事故责任与投诉情况（25分）"),
    (("timezone",), "Asia/Shanghai", "the seeds' offices are in mainland China (管理处)"),
]

# figures the seeds do not state: the product's shipped defaults (checklists/policy.yaml explains each)
SHIPPED_DEFAULTS = [
    (("work_orders", "resolve_hours"), {"emergency": 8, "normal": 48, "planned": 168}),
    (("work_orders", "time_limits"), {"engineering": {"emergency": 4, "normal": 48},
                                      "cleaning": {"emergency": 2, "normal": 8},
                                      "security": {"emergency": 1, "normal": 24}, "landscaping": {"normal": 72}}),
    (("work_orders", "planned_resolve_time"), time(18, 0)),
    (("work_orders", "field_staff_see"), "assigned"),
    (("work_orders", "escalation"), {"supervisor_after_hours": 0, "manager_after_hours": 24}),
    (("deductions", "closed_month"), "refuse"),
    (("complaints", "register_within_hours"), 2),
    (("zone_ranking",), {"pass_rate_weight": 50, "on_time_weight": 25, "rework_weight": 15,
                         "complaint_weight": 10, "complaint_allowance": 5}),
    (("presence", "radius_m"), 60),
    (("presence", "max_accuracy_m"), 100),
    (("presence", "outside_radius"), "flag"),
    (("presence", "missing"), "allow"),
    (("presence", "typed_needs_reason"), True),
    (("presence", "default"), ["qr", "nfc", "gps", "typed"]),
    (("phone",), {"max_photo_mb": 25, "set_aside_after_tries": 3, "voice_max_seconds": 60, "voice_max_kb": 1024,
                  "handover_after_hours": 12}),
    (("photos",), {"long_edge_px": 1600, "jpeg_quality": 0.8, "send_originals_on_wifi": False}),
    (("appeals", "levels"), [{"level": "department_head", "roles": ["supervisor", "manager", "admin"]},
                             {"level": "office_director", "roles": ["manager", "admin"]},
                             {"level": "office_manager", "roles": ["manager", "admin"]}]),
]


@pytest.fixture(scope="module")
def shipped():
    return pol.load_policy(SHIPPED_POLICY)


def _at(policy, path):
    node = policy
    for part in path:
        node = node[part]
    return node


def test_the_shipped_policy_is_valid():
    assert pol.validate_policy_file(SHIPPED_POLICY) == []


@pytest.mark.parametrize("path, figure, sentence", SEED_FIGURES, ids=[".".join(map(str, f[0])) for f in SEED_FIGURES])
def test_the_shipped_policy_carries_the_seed_figure(shipped, path, figure, sentence):
    value = _at(shipped, path)
    assert value == figure, f"{'.'.join(map(str, path))} = {value!r}; the seed: {sentence}"
    if isinstance(figure, Decimal):  # money is exact
        assert isinstance(value, Decimal), value


@pytest.mark.parametrize("path, figure", SHIPPED_DEFAULTS, ids=[".".join(map(str, f[0])) for f in SHIPPED_DEFAULTS])
def test_the_shipped_policy_keeps_its_documented_default(shipped, path, figure):
    assert _at(shipped, path) == figure


def test_the_time_limit_table_of_the_shipped_policy(shipped):
    """001 紧急报修 / 公共设施维修时限表: a trade's limit overrides its priority's."""
    assert shipped.resolve_hours("normal", "landscaping") == 72
    assert shipped.resolve_hours("emergency", "engineering") == 4
    assert shipped.resolve_hours("planned", "engineering") == 168
