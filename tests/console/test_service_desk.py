"""客服台 page, driven with AppTest against the real API with the demo's month of requests."""
import requests

from tests.console.pages import submit, texts

PAGE = "app_pages/service_desk.py"


def api(server, username, path, method="GET", **kw):
    h = {"Authorization": f"Bearer {server.login(username)}"}
    r = requests.request(method, f"{server.url}/api/v1{path}", headers=h, timeout=30, **kw)
    assert r.status_code < 400, r.text
    return r.json()


def by_phone(server, last4):
    return api(server, "manager1", f"/requests?phone_last4={last4}")["items"]




def test_the_desk_sees_its_requests_with_owners_masked(console):
    at = console("service1", PAGE)
    page = texts(at)
    assert "客服台" in page
    # the demo's open leak in 6-2-1502 (梁洁, 18412345616) and the escalated overflowing bins
    assert "184****5616" in page and "梁**" in page
    assert "18412345616" not in page and "梁洁" not in page


def test_registering_a_call_from_the_form(console, console_api):
    at = console("service1", PAGE)
    at.text_input(key="sd_new_owner_name").input("钱多多")
    at.text_input(key="sd_new_owner_phone").input("13700007788")
    at.text_input(key="sd_new_building").input("4")
    at.text_input(key="sd_new_unit").input("2")
    at.text_input(key="sd_new_room").input("903")
    at.text_area(key="sd_new_description").input("客厅顶灯线路冒火花")
    at.selectbox(key="sd_new_category").set_value("lighting")
    submit(at, "sd_new")
    assert not at.exception, [e.value for e in at.exception]
    made = by_phone(console_api, "7788")
    assert len(made) == 1 and made[0]["location"] == "4栋2单元903" and made[0]["category"] == "lighting"
    assert f"已登记客服单 #{made[0]['id']}" in texts(at)


def test_a_call_without_what_happened_is_refused_next_to_the_field(console, console_api):
    at = console("service1", PAGE)
    at.text_input(key="sd_new_owner_phone").input("13700006655")
    at.text_input(key="sd_new_building").input("1")
    submit(at, "sd_new")
    assert "请写明发生了什么。" in texts(at)  # the API's field error, in Chinese
    assert by_phone(console_api, "6655") == []


def test_transfer_from_the_page_makes_a_work_order(console, console_api):
    leak = by_phone(console_api, "5616")[0]
    at = console("service1", PAGE)
    at.selectbox(key="sd_pick").set_value(leak["id"]).run()
    at.selectbox(key=f"sd_list_trade_{leak['id']}").set_value("engineering")
    submit(at, f"sd_list_transfer_{leak['id']}")
    assert not at.exception, [e.value for e in at.exception]
    got = api(console_api, "manager1", f"/requests/{leak['id']}")
    assert got["status"] == "transferred" and [o["trade"] for o in got["work_orders"]] == ["engineering"]


def test_revisit_from_the_revisit_list_closes_the_request(console, console_api):
    ev = by_phone(console_api, "5609")[0]  # the EV-charger suggestion, done and waiting for its revisit
    assert ev["status"] == "done"
    at = console("service1", PAGE)
    at.selectbox(key="sd_rv_pick").set_value(ev["id"]).run()
    at.radio(key=f"sd_rv_satisfied_{ev['id']}").set_value(True)
    submit(at, f"sd_rv_revisit_{ev['id']}")
    got = api(console_api, "manager1", f"/requests/{ev['id']}")
    assert got["status"] == "closed" and got["satisfied"] is True


def test_supervisor_sees_escalations_and_the_months_statistics(console):
    at = console("super1", PAGE)
    page = texts(at)
    assert "3栋 垃圾分类点" in page  # the bins left overnight went up to the supervisor
    assert "受理总数" in page and "满意率" in page
    assert [b for b in at.get("download_button") if b.proto.label == "下载 Excel 月报"]


def test_the_desk_has_no_statistics_tab(console):
    at = console("service1", PAGE)
    assert "受理总数" not in texts(at)


def test_the_managers_today_page_lists_requests_up_at_the_deputy_gm(console):
    at = console("manager1")  # Today is the default page
    page = texts(at)
    assert "升级督办" in page
    assert "2栋 外墙" in page and "主管副总经理" in page  # urgent: straight to level 2
    assert "3栋 垃圾分类点" not in page  # only at level 1: the supervisor's, not the manager's


def test_photos_picked_for_a_call_are_uploaded_first_and_attached(console, console_api):
    from tests.console.pages import _jpeg

    at = console("service1", PAGE)
    at.text_input(key="sd_new_owner_phone").input("13700004321")
    at.text_input(key="sd_new_building").input("5")
    at.text_input(key="sd_new_unit").input("1")
    at.text_input(key="sd_new_room").input("1201")
    at.text_area(key="sd_new_description").input("卫生间吊顶渗水，业主发来两张照片")
    at.selectbox(key="sd_new_category").set_value("water_leak")
    photos = [("ceiling.jpg", _jpeg("ceiling 5-1-1201", (90, 90, 160)), "image/jpeg"),
              ("stain.jpg", _jpeg("stain 5-1-1201", (160, 90, 90)), "image/jpeg")]
    at.file_uploader(key="sd_new_photos_0").set_value(photos)
    submit(at, "sd_new")
    assert not at.exception, [e.value for e in at.exception]
    [made] = by_phone(console_api, "4321")
    got = api(console_api, "manager1", f"/requests/{made['id']}")
    assert len(got["photo_ids"]) == 2
    assert "附照片 2 张" in texts(at)
    # the next call starts with an empty form and an empty uploader
    assert at.text_area(key="sd_new_description").value == ""
    assert at.file_uploader(key="sd_new_photos_1").value in (None, [])
    # and the photos show in the request's detail
    at.selectbox(key="sd_pick").set_value(made["id"]).run()
    assert len(at.image) >= 2


def test_a_picked_file_that_is_not_a_photo_is_refused_under_the_uploader_and_nothing_is_registered(
        console, console_api):
    at = console("service1", PAGE)
    at.text_input(key="sd_new_owner_phone").input("13700004455")
    at.text_input(key="sd_new_building").input("2")
    at.text_area(key="sd_new_description").input("楼道灯不亮")
    at.file_uploader(key="sd_new_photos_0").set_value(("scan.png", b"not really a png", "image/png"))
    submit(at, "sd_new")
    assert not at.exception
    assert any("scan.png" in e.value for e in at.error)
    assert by_phone(console_api, "4455") == []


def test_upload_photos_returns_ids_in_order_once_each(console_api, token_for):
    from console.client import PatrolClient
    from console.uploads import create_with_photos, upload_photos
    from tests.console.pages import _jpeg

    c = PatrolClient(console_api.url, token=token_for("service1"))
    site_id = c.me()["site_ids"][0]
    a, b = _jpeg("a", (10, 10, 10)), _jpeg("b", (200, 200, 200))
    ids = upload_photos(c, [("a.jpg", a, "image/jpeg"), ("b.jpg", b, "image/jpeg"), ("a2.jpg", a, "image/jpeg")],
                        site_id)
    assert len(ids) == 2 and ids[0] != ids[1]
    made = create_with_photos(c.create_request, {
        "site_id": site_id, "kind": "repair", "channel": "wechat", "category": "drainage", "building": "6",
        "owner_phone": "13700003344", "description": "门口雨水井盖松动", "client_id": "console-photos-0001"},
        c, [("a.jpg", a, "image/jpeg"), ("b.jpg", b, "image/jpeg")], site_id)
    assert made["photo_ids"] == ids
    again = create_with_photos(c.create_request, {  # a retry: same photos, same client_id, the same request
        "site_id": site_id, "kind": "repair", "channel": "wechat", "category": "drainage", "building": "6",
        "owner_phone": "13700003344", "description": "门口雨水井盖松动", "client_id": "console-photos-0001"},
        c, [("a.jpg", a, "image/jpeg"), ("b.jpg", b, "image/jpeg")], site_id)
    assert again["id"] == made["id"]


def test_a_refused_photo_names_its_file_under_photo_ids(console_api, token_for):
    import pytest

    from console.client import PatrolClient, ValidationError
    from console.uploads import upload_photos

    c = PatrolClient(console_api.url, token=token_for("service1"))
    with pytest.raises(ValidationError) as exc:
        upload_photos(c, [("notes.txt", b"hello", "text/plain")])
    assert list(exc.value.fields) == ["photo_ids"] and exc.value.fields["photo_ids"][0].startswith("notes.txt: ")
