"""工单 page: a work order registered by hand, driven with AppTest against the real API."""
from datetime import date, timedelta

import requests

PAGE = "app_pages/work_orders.py"


def api(server, username, method, path, **kw):
    h = {"Authorization": f"Bearer {server.login(username)}"}
    r = requests.request(method, f"{server.url}/api/v1{path}", headers=h, timeout=30, **kw)
    assert r.status_code < 400, r.text
    return r.json()


def orders_titled(server, title):
    return [o for o in api(server, "super1", "GET", "/work-orders", params={"limit": 200})["items"]
            if o["title"] == title]


def zone(server, code):
    lhy = next(s for s in api(server, "super1", "GET", "/sites") if s["code"] == "LHY")
    return next(z for z in lhy["zones"] if z["code"] == code)


def new_order_form(console):
    at = console("super1", PAGE)
    at.button(key="wo_new_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fill(at, site_id, zone_id, trade, title, description=""):
    at.selectbox(key=f"wo_new_zone_{site_id}").set_value(zone_id).run()
    at.selectbox(key="wo_new_trade").set_value(trade).run()
    at.text_input(key="wo_new_title").input(title)
    at.text_area(key="wo_new_description").input(description)
    return at


def test_a_work_order_by_hand_goes_to_the_zones_responsible_person(console, console_api):
    north = zone(console_api, "A")
    at = new_order_form(console)
    site_id = at.selectbox(key="wo_new_site").value
    fill(at, site_id, north["id"], "engineering", "2号楼单元门闭门器漏油", "业主来电反映，油渍滴在地面")
    # before creating, the form says who gets it when nobody is chosen (片区责任制)
    assignee = at.selectbox(key=f"wo_new_assignee_{site_id}_engineering")
    assert assignee.index == 0 and assignee.options[0] == "片区责任人：马建国（默认）"
    at.button(key="wo_new_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    made = orders_titled(console_api, "2号楼单元门闭门器漏油")
    assert len(made) == 1
    order = made[0]
    assert order["assignee"]["username"] == "tech1" and order["status"] == "assigned"
    assert order["source"] == "manual" and order["priority"] == "normal" and order["zone"]["id"] == north["id"]
    assert order["description"] == "业主来电反映，油渍滴在地面"
    # the page opens the new order with its deadlines
    assert any(f"已新建工单 #{order['id']}" in s.value for s in at.success)
    assert any(f"工单 #{order['id']}" in s.value for s in at.subheader)


def test_a_chosen_assignee_and_a_planned_day_are_kept(console, console_api):
    south = zone(console_api, "B")
    at = new_order_form(console)
    site_id = at.selectbox(key="wo_new_site").value
    fill(at, site_id, south["id"], "landscaping", "南区草坪季度修剪")
    at.radio(key="wo_new_priority").set_value("planned").run()
    day = at.date_input(key="wo_new_scheduled_for").value + timedelta(days=6)
    at.date_input(key="wo_new_scheduled_for").set_value(day)
    super2 = next(u for u in api(console_api, "super1", "GET", "/users") if u["username"] == "super2")
    at.selectbox(key=f"wo_new_assignee_{site_id}_landscaping").set_value(super2["id"])
    at.button(key="wo_new_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [order] = orders_titled(console_api, "南区草坪季度修剪")
    assert order["priority"] == "planned" and date.fromisoformat(order["scheduled_for"]) == day
    assert order["assignee"]["username"] == "super2"  # not the zone's gardener: the supervisor chose


def test_an_order_without_a_title_is_refused_next_to_the_field(console, console_api):
    before = len(api(console_api, "super1", "GET", "/work-orders", params={"limit": 200})["items"])
    at = new_order_form(console)
    site_id = at.selectbox(key="wo_new_site").value
    fill(at, site_id, zone(console_api, "A")["id"], "cleaning", "   ")
    at.button(key="wo_new_submit").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    # under the title field, in Chinese: the console sends Accept-Language and the API answers in it
    assert any("需要填写标题" in e for e in errors)
    assert not any("A title is needed" in e for e in errors)
    assert any("请更正" in e for e in errors)
    assert at.text_area(key="wo_new_description").value == ""  # still on the form, nothing lost
    assert len(api(console_api, "super1", "GET", "/work-orders", params={"limit": 200})["items"]) == before


def test_a_retried_create_makes_one_order(console, console_api):
    """The first click reached the server but its answer was lost: the second click sends the same client_id."""
    north = zone(console_api, "A")
    at = new_order_form(console)
    site_id = at.selectbox(key="wo_new_site").value
    fill(at, site_id, north["id"], "security", "1号楼消防通道堆放杂物")
    at.session_state["_cid_wo_new"] = "console-retry-wo-0001"  # the retry key the lost first click used
    first = api(console_api, "super1", "POST", "/work-orders", json={
        "site_id": site_id, "zone_id": north["id"], "trade": "security", "title": "1号楼消防通道堆放杂物",
        "priority": "normal", "client_id": "console-retry-wo-0001"})
    at.button(key="wo_new_submit").click().run()
    assert not at.exception
    assert [o["id"] for o in orders_titled(console_api, "1号楼消防通道堆放杂物")] == [first["id"]]
    assert any(f"已新建工单 #{first['id']}" in s.value for s in at.success)
