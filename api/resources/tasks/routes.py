"""The caller's tasks of a day (due / done / missed) and the supervisors' summary by zone."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import get_visible, requires, site_ids
from api.domain.schedules import local_today, summarise, tasks_for
from api.models import Site, utcnow
from api.resources.tasks.schemas import TaskDayOut, TaskQuery, TaskSummaryOut

blp = Blueprint("tasks", __name__, url_prefix="/tasks",
                description="Scheduled rounds and cleaning tasks, made from checklists/schedules.yaml.")


def _day_tasks(date, site_id):
    if site_id is not None:
        sites = [get_visible(Site, site_id, "site", site_attr="id")]
    else:
        sites = list(Site.select().where(Site.id.in_(site_ids())).order_by(Site.id))
    now = utcnow()
    day = date or local_today(sites[0].timezone if sites else "Asia/Shanghai", now)
    return day, now, tasks_for(sites, day, g.user.role, now)


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskQuery, location="query", as_kwargs=True)
    @blp.response(200, TaskDayOut)
    @requires("task.view")
    def get(self, date=None, site_id=None):
        """The caller's tasks for a day: guards their rounds, cleaners their cleaning, supervisors
        and up every task of their sites; status as of now."""
        day, now, tasks = _day_tasks(date, site_id)
        return {"date": day, "now": now, "items": tasks}


@blp.route("/summary")
class TaskSummary(MethodView):
    @blp.arguments(TaskQuery, location="query", as_kwargs=True)
    @blp.response(200, TaskSummaryOut)
    @requires("task.summary")
    def get(self, date=None, site_id=None):
        """Supervisors: a day's tasks done / due / missed by zone (the console's Today page)."""
        day, now, tasks = _day_tasks(date, site_id)
        zones, totals = summarise(tasks)
        return {"date": day, "now": now, "zones": zones, "totals": totals}
