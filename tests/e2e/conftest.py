"""Fixtures of the phone tests: a real server with a test-only 20-item checklist, and Chromium.

Module-scoped: each test module gets its own server; a module may define its own instead."""
import pytest

from tests.e2e.phone import add_twenty_item_checklist, launch
from tests.live import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    s = LiveServer(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]), demo_days=1)
    s.build_demo()
    add_twenty_item_checklist(s.env["DATABASE_URL"])
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
