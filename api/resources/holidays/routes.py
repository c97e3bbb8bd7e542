"""The holiday calendar (法定节假日与调休): read by everyone, entered or imported by managers."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import requires
from api.db import write_tx
from api.i18n import gettext
from api.domain import holidays as hd
from api.domain.policy import current_policy
from api.models import utcnow
from api.resources.holidays.schemas import ImportFile, StatusOut, YearIn, YearOut

blp = Blueprint("holidays", __name__, url_prefix="/holiday-calendar",
                description="The official holiday schedule with make-up working days, as data.")


def _replace(year, days, action):
    hd.check_year(year)
    with write_tx():
        before, after = hd.replace_year(year, days, g.user, utcnow())
        audit(action, "holiday_calendar", year, None, before={"year": year, "days": before},
              after={"year": year, "days": after})
    return hd.year_schedule(year)


@blp.route("/status")
class Status(MethodView):
    @blp.response(200, StatusOut)
    @requires("holiday.view")
    def get(self):
        """Whether this and next year's schedules are known; ``warn`` from November when next year's is not."""
        status = hd.calendar_status(utcnow(), current_policy().tz)
        if status["warn"]:
            status["message"] = gettext("The official holiday schedule for {years} is not entered yet: deadlines "
                                        "fall back to ordinary weekends.",
                                        years=", ".join(map(str, status["missing_years"])))
        return status


@blp.route("/<int:year>")
class Year(MethodView):
    @blp.response(200, YearOut)
    @requires("holiday.view")
    def get(self, year):
        """A year's schedule: the one entered, else the one shipped, else none."""
        return hd.year_schedule(year)

    @blp.arguments(YearIn)
    @blp.response(200, YearOut)
    @requires("holiday.edit")
    def put(self, data, year):
        """Enter a year's whole schedule (managers); it replaces the shipped one for that year."""
        return _replace(year, data["days"], "holiday_calendar.enter")


@blp.route("/<int:year>/import")
class Import(MethodView):
    @blp.arguments(ImportFile, location="files", content_type="multipart/form-data")
    @blp.response(200, YearOut)
    @requires("holiday.edit")
    def post(self, files, year):
        """Import a year's schedule from .csv or .xlsx (columns date, kind, name) (managers)."""
        upload = files["file"]
        days = hd.parse_import(upload.filename, upload.read())
        return _replace(year, days, "holiday_calendar.import")
