"""One vocabulary, served: labels and state machines from api/domain/vocabulary.py, and per-order
``allowed_actions`` computed from the same transition table and role rules the API enforces."""
import pytest

from api.domain import vocabulary as vocab, workorders as wo
from api.domain.service_requests import terms
from api.models import WORK_ORDER_STATUSES, ROLES, TRADES
from tests.factories import make_order, move


def test_the_models_and_domain_modules_use_the_vocabularys_own_tuples():
    assert WORK_ORDER_STATUSES is vocab.WORK_ORDER_STATUSES and ROLES is vocab.ROLES and TRADES is vocab.TRADES
    assert wo.TRANSITIONS is vocab.WORK_ORDER_TRANSITIONS and terms.TRANSITIONS is vocab.REQUEST_TRANSITIONS


@pytest.mark.parametrize("kind,values", [
    ("role", vocab.ROLES), ("trade", vocab.TRADES), ("priority", vocab.PRIORITIES),
    ("wo_status", vocab.WORK_ORDER_STATUSES), ("finding_status", vocab.FINDING_STATUSES),
    ("req_status", vocab.REQUEST_STATUSES), ("req_kind", vocab.REQUEST_KINDS), ("req_channel", vocab.REQUEST_CHANNELS),
    ("req_category", vocab.REQUEST_CATEGORIES), ("req_fault", vocab.REQUEST_FAULTS),
    ("deduction_status", vocab.DEDUCTION_STATUSES), ("appeal_status", vocab.APPEAL_STATUSES),
    ("task_status", vocab.TASK_STATUSES), ("tier", vocab.TIERS), ("kind", vocab.CHECKPOINT_KINDS),
    ("wo_action", tuple(vocab.WORK_ORDER_TRANSITIONS)), ("req_action", tuple(vocab.REQUEST_TRANSITIONS)),
    ("site_kind", vocab.SITE_KINDS), ("channel_kind", vocab.DELIVERY_KINDS),
    ("notification_event", vocab.NOTIFICATION_EVENTS), ("notification_status", vocab.NOTIFICATION_STATUSES),
])
def test_every_value_has_a_chinese_and_an_english_label(kind, values):
    for v in values:
        zh, en = vocab.LABELS[kind][v]
        assert zh and en and any("\u4e00" <= ch <= "\u9fff" for ch in zh) or zh == en == "—", (kind, v)


def test_vocabulary_is_served_in_the_callers_language_with_an_etag(login):
    api = login("service1")
    zh = api.get("/vocabulary", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert zh.status_code == 200
    body = zh.get_json()
    assert body["labels"]["wo_status"]["done"] == "已完工待回访"
    assert body["machines"]["work_order"]["actions"]["verify"]["from"] == ["done"]
    assert "过了完成时限" in body["figures"]["resolve_sla"] or "已过完成时限" in body["figures"]["resolve_sla"]
    en = api.get("/vocabulary", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert en.get_json()["labels"]["req_channel"]["wechat"] == "WeChat"
    assert zh.headers["ETag"] != en.headers["ETag"]
    again = api.get("/vocabulary?lang=zh", headers={"If-None-Match": zh.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == zh.headers["ETag"]


def test_allowed_actions_follow_the_state_machine_and_the_callers_role(login, org):
    sup, tech, desk = login("super1"), login("tech1"), login("service1")
    o = make_order(sup, org)  # assigned to tech1 by zone responsibility
    assert set(o["allowed_actions"]) == {"assign", "accept", "cancel"}
    mine = tech.get(f"/work-orders/{o['id']}").get_json()
    assert mine["allowed_actions"] == ["accept"]
    move(tech, o["id"], "accept")
    assert desk.get(f"/work-orders/{o['id']}").get_json()["allowed_actions"] == []
    # every action the API lists is one the API then accepts
    body = tech.get(f"/work-orders/{o['id']}").get_json()
    assert "start" in body["allowed_actions"]
    assert move(tech, o["id"], "start").status_code == 200


@pytest.mark.parametrize("status", vocab.WORK_ORDER_STATUSES)
@pytest.mark.parametrize("role", vocab.ROLES)
def test_allowed_actions_are_exactly_the_ones_the_table_and_check_transition_permit(status, role):
    from types import SimpleNamespace

    from api.domain import permissions
    from api.errors import DomainError

    actor = SimpleNamespace(role=role, id=7)
    for assignee in (7, 8):
        order = SimpleNamespace(status=status, assignee_id=assignee)
        allowed = set(permissions.work_order_actions(order, actor))
        for action in vocab.WORK_ORDER_TRANSITIONS:
            try:
                wo.check_transition(status, action)
                permissions.require(actor, f"work_order.{action}", order)
                ok = True
            except DomainError:
                ok = False
            assert ok == (action in allowed), (status, role, assignee, action)
