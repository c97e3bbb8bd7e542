"""The holiday-calendar page: the November warning, the shipped schedule, a manager's entry."""
import requests


def texts(at):
    parts = []
    for kind in ("title", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(el.value) for el in getattr(at, kind)]
    for df in at.dataframe:
        parts.append(df.value.to_string())
    return "\n".join(parts)


def test_a_manager_sees_the_shipped_year_and_enters_next_years_schedule(console, console_api, token_for):
    at = console("manager1", "app_pages/holidays.py")
    assert "法定节假日与调休安排" in texts(at)
    at.selectbox(key="hol_year").select(2026).run()
    assert "软件自带" in texts(at) and "2026-02-14" in texts(at) and "调休上班" in texts(at)
    status = requests.get(f"{console_api.url}/api/v1/holiday-calendar/status", timeout=30,
                          headers={"Authorization": f"Bearer {token_for('manager1')}"}).json()
    if status["warn"]:  # November or later without next year's schedule: said on the page and in the sidebar
        assert str(status["next_year"]) in texts(at)
    at.selectbox(key="hol_year").select(2027).run()
    # enter the example 2027 schedule the way the page's API call does, then see it listed as entered
    r = requests.put(f"{console_api.url}/api/v1/holiday-calendar/2027", timeout=30,
                     headers={"Authorization": f"Bearer {token_for('manager1')}"},
                     json={"days": [{"date": "2027-02-06", "kind": "holiday", "name": "春节"},
                                    {"date": "2027-02-20", "kind": "workday", "name": "春节调休上班"}]})
    assert r.status_code == 200, r.text
    at.run()
    assert "经理录入" in texts(at) and "2027-02-20" in texts(at)
    requests.put(f"{console_api.url}/api/v1/holiday-calendar/2027", timeout=30, json={"days": []},
                 headers={"Authorization": f"Bearer {token_for('manager1')}"})


def test_the_desk_reads_the_schedule_but_cannot_change_it(console):
    at = console("service1", "app_pages/holidays.py")
    assert "只有管理处经理可以修改节假日安排" in texts(at)
    assert not [b for b in at.button if b.key == "hol_save"]
