"""扣分与台账: the payroll buttons and the posting notice hand over the API's own files, byte for byte."""
import base64
import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import app_test
from console.ui import month_options

PAGE = "app_pages/deductions.py"


class RecordingMediaFileManager(MediaFileManager):
    """AppTest's media manager, kept so the test can run the download buttons' deferred callables."""
    made = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingMediaFileManager.made.append(self)


@pytest.fixture
def recording_media(monkeypatch):
    RecordingMediaFileManager.made = []
    monkeypatch.setattr(app_test, "MediaFileManager", RecordingMediaFileManager)
    return RecordingMediaFileManager.made


def clicked_download(at, media, label):
    """What the browser receives when this download button is clicked: its callable's bytes and file name."""
    button = next(b for b in at.get("download_button") if b.proto.label == label)
    file_id = button.proto.deferred_file_id
    entry = media[-1]._deferred_callables[file_id]
    return entry["callable"](), entry["filename"]


def api_bytes(server, username, path, **params):
    h = {"Authorization": f"Bearer {server.login(username)}"}
    r = requests.get(f"{server.url}/api/v1{path}", headers=h, params=params, timeout=60)
    assert r.status_code == 200, r.text
    return r.content


@pytest.mark.parametrize("fmt, label", [("xlsx", "下载工资扣款表（Excel）"), ("csv", "下载工资扣款表（CSV）")])
def test_payroll_download_is_the_apis_export(console, recording_media, console_api, fmt, label):
    at = console("manager1", PAGE)
    last_month = month_options()[1]  # the demo's closed month, with people over 5, 11, 20
    at.selectbox(key="ded_month").set_value(last_month).run()
    site_id = at.selectbox(key="ded_site").value
    data, filename = clicked_download(at, recording_media, label)
    expected = api_bytes(console_api, "manager1", f"/ledger/{last_month}/payroll.{fmt}", site_id=site_id)
    assert filename == f"payroll-LHY-{last_month}.{fmt}"
    if fmt == "xlsx":
        assert workbook_parts(data) == workbook_parts(expected)
    else:
        assert data == expected and data.decode("utf-8-sig").count("\n") > 2


def workbook_parts(data):
    """An .xlsx's files but its stamp of when it was written (each export is written anew, to the second)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}
    assert "xl/worksheets/sheet1.xml" in parts  # a real workbook, not an error page
    return parts


def test_posting_notice_is_the_apis_printable_page(console, console_api):
    at = console("manager1", PAGE)
    month = at.selectbox(key="ded_month").value  # the month the page opened on (last month until the 5th)
    site_id = at.selectbox(key="ded_site").value
    html = api_bytes(console_api, "manager1", f"/ledger/{month}/posting.html", site_id=site_id).decode()
    [frame] = at.get("iframe")
    prefix = "data:text/html;charset=utf-8;base64,"
    assert frame.proto.src.startswith(prefix)
    assert base64.b64decode(frame.proto.src[len(prefix):]).decode() == html  # the API's notice, unchanged
    assert html.count("window.print()") == 1  # one print button, the notice's own
