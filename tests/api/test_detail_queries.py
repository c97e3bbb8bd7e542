"""Detail views read a fixed number of queries, however many events, actors, findings and photos the
row has (no query per event, actor or photo link)."""
import logging
from contextlib import contextmanager

from api.models import Finding, FindingPhoto, Photo, RequestEvent, WorkOrderEvent, WorkOrderFinding


@contextmanager
def counted_queries():
    """Every statement peewee runs inside the block (peewee logs each one at DEBUG)."""
    seen = []

    class Counter(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    logger, handler = logging.getLogger("peewee"), Counter(level=logging.DEBUG)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _photo(org, n):
    pid = f"{n:064x}"
    Photo.create(id=pid, uploaded_by=org["users"]["guard1"], content_type="image/jpeg", size_bytes=10, width=10,
                 height=10)
    return pid


def _order_with_history(sup, org, events, findings):
    r = sup.post("/work-orders", json={"site_id": org["sites"]["LHY"].id, "zone_id": org["zones"][("LHY", "A")].id,
                                       "trade": "engineering", "title": "1 号楼大堂灯管更换", "priority": "normal"})
    order_id = r.get_json()["id"]
    actors = [org["users"][u] for u in ("super1", "manager1", "tech1", "guard1")]
    for i in range(events):
        WorkOrderEvent.create(work_order=order_id, action="note", from_status="assigned", to_status="assigned",
                              actor=actors[i % len(actors)], note=f"记录 {i}")
    for i in range(findings):
        f = Finding.create(site=org["sites"]["LHY"], zone=org["zones"][("LHY", "A")], title=f"路灯不亮 {i}",
                           title_en="Lamp not lit", trade="engineering", priority="normal", points=1,
                           reported_by=org["users"]["guard1"], status="in_work")
        WorkOrderFinding.create(work_order=order_id, finding=f)
        FindingPhoto.create(finding=f, photo=_photo(org, 1000 * (events + 1) + i))
    return order_id


def test_work_order_detail_reads_the_same_number_of_queries_for_one_event_or_twenty(login, org):
    sup = login("super1")
    small = _order_with_history(sup, org, events=1, findings=1)
    big = _order_with_history(sup, org, events=20, findings=6)
    counts = []
    for order_id in (small, big):
        with counted_queries() as seen:
            r = sup.get(f"/work-orders/{order_id}")
        assert r.status_code == 200, r.get_json()
        counts.append(len(seen))
    body = r.get_json()
    assert len(body["events"]) == 21 and len({e["actor"]["id"] for e in body["events"] if e["actor"]}) >= 4
    assert len(body["findings"]) == 6 and all(len(f["photo_ids"]) == 1 for f in body["findings"])
    assert [e["id"] for e in body["events"]] == sorted(e["id"] for e in body["events"])
    assert counts[0] == counts[1], counts


def _request_with_history(desk, org, events):
    r = desk.post("/requests", json={"site_id": org["sites"]["LHY"].id, "kind": "repair", "channel": "phone",
                                     "description": "卫生间漏水", "building": "3", "unit": "2", "room": "1201",
                                     "owner_name": "张三", "owner_phone": "13800135678"})
    assert r.status_code == 201, r.get_json()
    request_id = r.get_json()["id"]
    actors = [org["users"][u] for u in ("service1", "super1", "manager1")]
    for i in range(events):
        RequestEvent.create(request=request_id, action="note", actor=actors[i % len(actors)], note=f"回电 {i}")
    desk.post(f"/requests/{request_id}/transitions", json={"action": "transfer", "trade": "engineering"})
    return request_id


def test_request_detail_reads_the_same_number_of_queries_for_one_event_or_twenty(login, org):
    desk = login("service1")
    small = _request_with_history(desk, org, events=1)
    big = _request_with_history(desk, org, events=20)
    counts = []
    for request_id in (small, big):
        with counted_queries() as seen:
            r = desk.get(f"/requests/{request_id}")
        assert r.status_code == 200, r.get_json()
        counts.append(len(seen))
    body = r.get_json()
    assert len(body["events"]) >= 21 and {e["actor"]["id"] for e in body["events"] if e["actor"]} >= {
        org["users"][u].id for u in ("service1", "super1", "manager1")}
    assert len(body["work_orders"]) == 1
    assert counts[0] == counts[1], counts
