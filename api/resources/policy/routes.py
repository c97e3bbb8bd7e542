"""The policy (考核与时限标准): the figures in force, their versions, and a manager's new version."""
from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit import audit
from api.auth import declares, requires
from api.domain.policy import add_version, current_policy, list_versions
from api.resources.policy.schemas import PolicyOut, PolicyVersionIn, PolicyVersionOut

blp = Blueprint("policy", __name__, url_prefix="/policy",
                description="Policy figures (考核与时限标准): amounts, thresholds and time limits.")


@blp.route("")
class Policy(MethodView):
    @blp.response(200, PolicyOut)
    @requires("policy.view")
    def get(self):
        """Every amount, threshold and time limit the product applies now; amounts are exact yuan."""
        return current_policy()


@blp.route("/versions")
class PolicyVersions(MethodView):
    @blp.response(200, PolicyVersionOut(many=True))
    @requires("policy.view")
    def get(self):
        """Every version, newest first: from when, who, why, and which is in force today."""
        return list_versions()

    @blp.arguments(PolicyVersionIn)
    @blp.response(201, PolicyVersionOut)
    @blp.alt_response(200, schema=PolicyVersionOut, description="The same change again: the version it stored.")
    @blp.alt_response(409, description="Someone else stored a version since ``based_on``.")
    @declares("policy.change")
    def post(self, data):
        """A manager's new version of the whole policy, in force from ``effective_from`` (today or
        later); validated like policy.yaml, field errors under ``policy``."""
        version, created = add_version(raw=data["policy"], effective_from=data["effective_from"], by=g.user,
                                       based_on=data["based_on"], note=data.get("note", ""), audit_fn=audit)
        row = next(v for v in list_versions() if v["id"] == version.id)
        return row, (201 if created else 200)
