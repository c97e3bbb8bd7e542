"""The policy figures in force (checklists/policy.yaml), read-only: what a point costs, the tiers, time limits."""
from flask.views import MethodView
from flask_smorest import Blueprint

from api.domain.policy import current_policy
from api.resources.policy.schemas import PolicyOut

blp = Blueprint("policy", __name__, url_prefix="/policy",
                description="Policy figures (考核与时限标准): amounts, thresholds and time limits.")


@blp.route("")
class Policy(MethodView):
    @blp.response(200, PolicyOut)
    def get(self):
        """Every amount, threshold and time limit the product applies; amounts are exact yuan."""
        return current_policy()
