"""Rounds of a day as walked: order, timing and proof of presence of each point."""
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import requires
from api.domain.rounds import rounds_of
from api.resources.rounds.schemas import RoundDayOut
from api.resources.tasks.routes import _day_tasks
from api.resources.tasks.schemas import TaskQuery

blp = Blueprint("rounds", __name__, url_prefix="/rounds",
                description="Rounds as walked (按顺序巡更): early, on-time, late, missed and out-of-order points.")


@blp.route("")
class Rounds(MethodView):
    @blp.arguments(TaskQuery, location="query", as_kwargs=True)
    @blp.response(200, RoundDayOut)
    @requires("round.view")
    def get(self, date=None, site_id=None):
        """A day's rounds as the caller sees its tasks (guards their own role's, supervisors every
        round of their sites): each point's timing, whether it was walked out of order, its proof."""
        day, now, tasks = _day_tasks(date, site_id)
        return {"date": day, "now": now, "items": rounds_of(tasks)}
