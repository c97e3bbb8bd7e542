"""Time one console page with Streamlit's AppTest, logged in as a manager, against a running API.

The page is opened through the console's entry point (``switch_page``, as its navigation does).
Two renders are timed: ``cold`` is the first in a fresh interpreter (it imports pandas, altair and
the page's modules), ``seconds`` the next one, as a running console serves every later visit.
Prints JSON ``{"seconds", "cold", "exceptions"}``. Used by bench/run.py, one process per page:

    python bench/console_page.py app_pages/findings.py http://127.0.0.1:8000 PASSWORD
"""
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
APP = os.path.join(ROOT, "console", "streamlit_app.py")


def render(page, token):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["token"] = token  # the console keeps only the token in its session
    at.run()
    t0 = time.perf_counter()
    at.switch_page(page).run()
    return time.perf_counter() - t0, at


def main():
    page, api_url, password = sys.argv[1:4]
    os.environ["PATROL_API_URL"] = api_url
    import requests

    r = requests.post(api_url + "/api/v1/auth/login", json={"username": "manager1", "password": password}, timeout=30)
    r.raise_for_status()
    token = r.json()["token"]
    cold, _ = render(page, token)
    warm, at = render(page, token)
    print(json.dumps({"seconds": round(warm, 2), "cold": round(cold, 2),
                      "exceptions": [str(e.value)[:200] for e in at.exception]}))


if __name__ == "__main__":
    main()
