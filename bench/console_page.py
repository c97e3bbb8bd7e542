"""Render one console page with Streamlit's AppTest, logged in as a manager; prints JSON
``{"seconds": ..., "exceptions": [...]}``. Used by bench/run.py, one process per page.

    python bench/console_page.py console/app_pages/findings.py http://127.0.0.1:8000 PASSWORD
"""
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def main():
    page, api_url, password = sys.argv[1:4]
    os.environ["PATROL_API_URL"] = api_url
    import requests
    from streamlit.testing.v1 import AppTest

    r = requests.post(api_url + "/api/v1/auth/login", json={"username": "manager1", "password": password}, timeout=30)
    r.raise_for_status()
    at = AppTest.from_file(page, default_timeout=60)
    at.session_state["token"] = r.json()["token"]  # the console keeps only the token in its session
    t0 = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": round(seconds, 2), "exceptions": [str(e.value)[:200] for e in at.exception]}))


if __name__ == "__main__":
    main()
