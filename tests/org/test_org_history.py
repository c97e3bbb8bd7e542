"""Changes to the organisation apply from now on: a zone's new responsible person gets the tasks and
orders made after the change, the ones already made keep theirs; a checkpoint's new checklists do not
rewrite its tasks or inspections. A service-desk request for a unit goes to its building's zone."""
from datetime import date

from api.domain.schedules import ensure_tasks
from api.models import ServiceRequest, Task, WorkOrder
from tests.helpers import assert_error_shape


def test_a_new_responsible_person_gets_new_orders_and_the_old_ones_stay_with_the_old(login, org):
    """片区责任制: the zone's responsible person for the trade is the default assignee of its orders."""
    mgr, sup = login("manager1"), login("super1")
    zone = org["zones"][("LHY", "A")]
    body = {"site_id": org["sites"]["LHY"].id, "trade": "engineering", "title": "路灯不亮", "priority": "normal",
            "zone_id": zone.id}
    first = sup.post("/work-orders", json=body).get_json()
    assert first["assignee"]["id"] == org["users"]["tech1"].id
    r = mgr.patch(f"/zones/{zone.id}", json={"responsible_engineering": "tech2"})
    assert_error_shape(r, 422)  # tech2 works at HQT, not here
    mgr.patch(f"/users/{org['users']['tech2'].id}", json={"site_codes": ["HQT", "LHY"]})
    r = mgr.patch(f"/zones/{zone.id}", json={"responsible_engineering": "tech2"})
    assert r.status_code == 200 and r.get_json()["responsible"]["engineering"]["id"] == org["users"]["tech2"].id
    second = sup.post("/work-orders", json=body).get_json()
    assert second["assignee"]["id"] == org["users"]["tech2"].id
    assert WorkOrder.get_by_id(first["id"]).assignee_id == org["users"]["tech1"].id


def test_tasks_already_made_keep_their_assignee_and_checklist(login, org):
    mgr = login("manager1")
    site, zone = org["sites"]["LHY"], org["zones"][("LHY", "A")]
    day = date(2026, 3, 2)
    ensure_tasks(site, day)
    lobby = Task.select().where((Task.date == day) & (Task.checklist_key == "lobby")
                                & (Task.role == "guard")).first()
    assert lobby is not None
    before = {t.id: (t.assignee_id, t.checklist_key) for t in Task.select().where(Task.date == day)}
    mgr.patch(f"/zones/{zone.id}", json={"responsible_security": "guard3"})
    cp = lobby.checkpoint
    r = mgr.patch(f"/checkpoints/{cp.id}", json={"checklists": ["zone_cleaning"]})
    assert r.status_code == 200, r.get_json()
    assert {t.id: (t.assignee_id, t.checklist_key) for t in Task.select().where(Task.date == day)} == before
    later = date(2026, 3, 3)
    ensure_tasks(site, later)
    new = Task.select().where((Task.date == later) & (Task.role == "guard")
                              & (Task.checkpoint.in_([c.id for c in zone.checkpoints]))).first()
    assert new.assignee_id == org["users"]["guard3"].id


def test_a_request_for_a_unit_goes_to_its_buildings_zone_unless_the_desk_chooses(login, org):
    """A building's zone is what a service-desk request for a unit in it gets by default."""
    mgr, desk = login("manager1"), login("service1")
    south = org["zones"][("LHY", "B")]
    assert mgr.post("/buildings", json={"site_code": "LHY", "code": "5", "name": "5栋", "zone_code": "B"}
                    ).status_code == 201
    body = {"site_id": org["sites"]["LHY"].id, "kind": "repair", "channel": "phone", "description": "厨房漏水",
            "owner_name": "王先生", "owner_phone": "13800135678", "building": "5", "unit": "2", "room": "1201"}
    r = desk.post("/requests", json=body)
    assert r.status_code == 201, r.get_json()
    assert ServiceRequest.get_by_id(r.get_json()["id"]).zone_id == south.id
    by_name = desk.post("/requests", json={**body, "building": "5栋"}).get_json()
    assert ServiceRequest.get_by_id(by_name["id"]).zone_id == south.id
    chosen = org["zones"][("LHY", "A")].id
    picked = desk.post("/requests", json={**body, "zone_id": chosen}).get_json()
    assert ServiceRequest.get_by_id(picked["id"]).zone_id == chosen
    unknown = desk.post("/requests", json={**body, "building": "99"}).get_json()
    assert ServiceRequest.get_by_id(unknown["id"]).zone_id is None
