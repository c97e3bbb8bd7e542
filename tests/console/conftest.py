"""The console's tests run against one real API (gunicorn + two days of demo data) per test session."""
import os
from pathlib import Path

import pytest

from tests.console.pages import submit_round
from tests.live import LiveServer

APP = str(Path(__file__).resolve().parents[2] / "console" / "streamlit_app.py")


@pytest.fixture(scope="session")
def console_api(tmp_path_factory):
    """The live API the console talks to; PATROL_API_URL points at it for the whole session."""
    server = LiveServer(tmp_path_factory.mktemp("console_live"))
    server.build_demo()
    server.start()
    old = os.environ.get("PATROL_API_URL")
    os.environ["PATROL_API_URL"] = server.url
    server.tokens = {}
    yield server
    if old is None:
        os.environ.pop("PATROL_API_URL", None)
    else:
        os.environ["PATROL_API_URL"] = old
    server.stop()


@pytest.fixture(scope="session")
def token_for(console_api):
    """``token_for('manager1')``: a token per demo user, made once."""

    def _token(username):
        if username not in console_api.tokens:
            console_api.tokens[username] = console_api.login(username)
        return console_api.tokens[username]

    return _token


@pytest.fixture
def console(console_api, token_for):
    """``console('manager1', 'app_pages/findings.py')`` -> an AppTest that has run that page logged in."""
    from streamlit.testing.v1 import AppTest

    def _open(username=None, page=None, lang=None):
        at = AppTest.from_file(APP, default_timeout=60)
        if username:
            at.session_state["token"] = token_for(username)
        if lang:
            at.session_state["lang"] = lang
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open


@pytest.fixture(scope="session")
def lamp_finding(console_api):
    """Last night's failed lamp at LHY-LAMP-03 (with a photo), reported by guard1."""
    return submit_round(console_api, "guard1", "LHY-LAMP-03", "road_lamps", {"lamp_lit": "灯不亮"})[0]
