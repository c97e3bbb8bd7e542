"""One small HTTP client for the patrol API: one method per operation, typed errors.

The console imports nothing from ``api/``: this module is its whole contract with the server.
The API's error body is ``{code, status, message, errors: {json: {field: [msgs]}}}``; a 422 becomes
a :class:`ValidationError` whose ``fields`` map a field path (``results.3.photo_ids``) to messages.
"""
import os
import uuid

import requests

DEFAULT_URL = "http://127.0.0.1:8000"
ACCEPT_LANGUAGE = {"zh": "zh-CN,zh;q=0.9", "en": "en,zh-CN;q=0.5"}
TIMEOUT = (5, 30)  # connect, read (payroll exports and reports can take a few seconds)


class ApiError(Exception):
    """The API refused or failed a call; ``message`` is the server's own sentence."""

    def __init__(self, status, message, fields=None, body=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}
        self.body = body or {}


class ApiUnavailable(ApiError):
    """The API could not be reached at all (down, wrong URL, timed out)."""


class AuthError(ApiError):
    """401: not logged in, or the token expired or was revoked."""


class ForbiddenError(ApiError):
    """403: the caller's role may not do this."""


class NotFoundError(ApiError):
    """404: no such object, or it belongs to a site the caller does not see."""


class ConflictError(ApiError):
    """409: an illegal transition, a closed month, a retry with a different body."""


class ValidationError(ApiError):
    """422: field errors, ``fields = {"points": ["Must be greater than 0."]}``."""


_BY_STATUS = {401: AuthError, 403: ForbiddenError, 404: NotFoundError, 409: ConflictError, 422: ValidationError}


def flatten_errors(errors):
    """``{"json": {"results": {"3": {"photo_ids": ["x"]}}}}`` -> ``{"results.3.photo_ids": ["x"]}``."""
    out = {}

    def walk(prefix, node):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(node, (list, tuple)):
            if all(isinstance(m, str) for m in node):
                out.setdefault(prefix or "_schema", []).extend(node)
            else:
                for i, v in enumerate(node):
                    walk(f"{prefix}.{i}" if prefix else str(i), v)
        elif node is not None:
            out.setdefault(prefix or "_schema", []).append(str(node))

    for location, fields in (errors or {}).items():
        # json/query/form are where the field lives, not part of its name
        walk("", fields) if isinstance(fields, dict) else walk(location, fields)
    return out


def new_client_id():
    """A fresh retry key for one create: the same key on a retry makes the server do it once."""
    return str(uuid.uuid4())


def _clean(params):
    return {k: v for k, v in (params or {}).items() if v is not None and v != ""}


class PatrolClient:
    """``PatrolClient(token=..., lang="zh")``; the base URL comes from ``PATROL_API_URL``. Every call
    sends ``Accept-Language`` (zh-CN unless the user chose English), so the API answers in it."""

    def __init__(self, base_url=None, token=None, session=None, lang="zh"):
        self.base_url = (base_url or os.environ.get("PATROL_API_URL") or DEFAULT_URL).rstrip("/")
        self.token = token
        self.lang = lang
        self.http = session or requests.Session()

    # --- plumbing ---------------------------------------------------------------------

    def _request(self, method, path, params=None, json=None, headers=None, raw=False, files=None, data=None):
        h = {"Accept": "application/json"} if not raw else {}
        h["Accept-Language"] = ACCEPT_LANGUAGE.get(self.lang, ACCEPT_LANGUAGE["zh"])
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        h.update(headers or {})
        url = f"{self.base_url}/api/v1{path}"
        try:
            resp = self.http.request(method, url, params=_clean(params), json=json, headers=h, timeout=TIMEOUT,
                                     files=files, data=data)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ApiUnavailable(None, f"The server at {self.base_url} cannot be reached ({type(exc).__name__}).")
        if resp.status_code >= 400:
            raise self._error(resp)
        if raw:
            return resp
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise ApiError(resp.status_code, "The server sent an answer that is not JSON.")

    @staticmethod
    def _error(resp):
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        message = body.get("message") or resp.reason or f"HTTP {resp.status_code}"
        fields = flatten_errors(body.get("errors"))
        if resp.status_code >= 500:
            cls = ApiError
        elif resp.status_code == 400 and fields:
            cls = ValidationError  # a bad query parameter (e.g. cursor) is a field error too
        else:
            cls = _BY_STATUS.get(resp.status_code, ApiError)
        return cls(resp.status_code, message, fields, body)

    def get(self, path, **params):
        return self._request("GET", path, params=params)

    def post(self, path, json=None, params=None, idempotency_key=None):
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self._request("POST", path, params=params, json=json if json is not None else {}, headers=headers)

    def get_bytes(self, path, **params):
        return self._request("GET", path, params=params, raw=True).content

    # --- auth and who am I --------------------------------------------------------------

    def login(self, username, password):
        """Exchange a username and password for a token; the password is not kept."""
        body = self._request("POST", "/auth/login", json={"username": username, "password": password})
        self.token = body["token"]
        return body

    def logout(self):
        try:
            self._request("POST", "/auth/logout", json={})
        finally:
            self.token = None

    def me(self):
        return self.get("/me")

    def vocabulary(self):
        """Roles, trades, priorities, statuses, state machines, their labels (in ``lang``) and what each
        report figure counts: the one vocabulary, the API's."""
        return self.get("/vocabulary")

    def sites(self):
        return self.get("/sites")

    def users(self, site_id=None, role=None):
        return self.get("/users", site_id=site_id, role=role)

    # --- checklists and rounds --------------------------------------------------------------

    def checklists(self):
        return self.get("/checklists")

    def checklist(self, key):
        return self.get(f"/checklists/{key}")

    def checklist_version(self, key, version):
        return self.get(f"/checklists/{key}/versions/{int(version)}")

    def inspection(self, inspection_id):
        """One inspection with its results and the findings (and their photo ids) it opened."""
        return self.get(f"/inspections/{inspection_id}")

    def tasks_summary(self, date=None, site_id=None):
        return self.get("/tasks/summary", date=date, site_id=site_id)

    # --- findings and photos --------------------------------------------------------------------

    def findings(self, site_id=None, zone_id=None, status=None, checklist_key=None, trade=None,
                 since=None, until=None, cursor=None, limit=None):
        return self.get("/findings", site_id=site_id, zone_id=zone_id, status=status, checklist_key=checklist_key,
                        trade=trade, since=since, until=until, cursor=cursor, limit=limit)

    def finding(self, finding_id):
        return self.get(f"/findings/{int(finding_id)}")

    def dismiss_finding(self, finding_id, reason):
        return self.post(f"/findings/{int(finding_id)}/dismiss", {"reason": reason})

    def upload_photo(self, content, filename="photo.jpg", content_type="image/jpeg", site_id=None):
        """Upload one photo's bytes (multipart ``file``); returns ``{id, ...}``. The id is the bytes' SHA-256,
        so uploading the same photo again is harmless and answers with the same id."""
        form = {"site_id": str(int(site_id))} if site_id is not None else None
        return self._request("POST", "/photos", files={"file": (filename or "photo.jpg", content, content_type)},
                             data=form)

    def photo(self, photo_id, size="thumb"):
        """The photo's bytes (``thumb``, ``preview`` or ``original``) with the caller's token."""
        return self.get_bytes(f"/photos/{photo_id}", size=size)

    # --- work orders ---------------------------------------------------------------------------

    def create_work_order(self, body):
        """``body`` carries its own ``client_id`` so a retried create makes one order."""
        return self.post("/work-orders", body)

    def work_orders(self, status=None, priority=None, overdue=None, site_id=None, zone_id=None,
                    assignee_id=None, trade=None, cursor=None, limit=None, q=None, since=None, until=None):
        if overdue is not None:
            overdue = "true" if overdue else "false"
        return self.get("/work-orders", status=status, priority=priority, overdue=overdue, site_id=site_id,
                        zone_id=zone_id, assignee_id=assignee_id, trade=trade, cursor=cursor, limit=limit, q=q,
                        since=since, until=until)

    def work_orders_xlsx(self, **filters):
        """The orders a history search finds, as an Excel workbook in words."""
        return self.get_bytes("/work-orders/export.xlsx", **filters)

    def work_order_print(self, order_id):
        """The printable 派工单 of an order (HTML)."""
        return self.get_bytes(f"/work-orders/{int(order_id)}/print.html").decode("utf-8")

    def work_order(self, order_id):
        return self.get(f"/work-orders/{int(order_id)}")

    def transition(self, order_id, action, assignee_id=None, note=None, photo_ids=None, satisfied=None,
                   idempotency_key=None):
        body = _clean({"action": action, "assignee_id": assignee_id, "note": note, "photo_ids": photo_ids})
        if satisfied is not None:
            body["satisfied"] = bool(satisfied)
        return self.post(f"/work-orders/{int(order_id)}/transitions", body,
                         idempotency_key=idempotency_key or new_client_id())

    # --- deductions, appeals, ledger --------------------------------------------------------------

    def create_deduction(self, body):
        return self.post("/deductions", body)

    def deductions(self, month=None, site_id=None, staff_id=None, status=None, cursor=None, limit=None):
        return self.get("/deductions", month=month, site_id=site_id, staff_id=staff_id, status=status,
                        cursor=cursor, limit=limit)

    def deduction(self, deduction_id):
        return self.get(f"/deductions/{int(deduction_id)}")

    def appeal(self, deduction_id, reason, idempotency_key=None, kind="ordinary"):
        return self.post(f"/deductions/{int(deduction_id)}/appeal", {"reason": reason, "kind": kind},
                         idempotency_key=idempotency_key or new_client_id())

    def escalate_appeal(self, deduction_id, reason, idempotency_key=None):
        """Take a rejected appeal up a level (department head -> office director -> office manager)."""
        return self.post(f"/deductions/{int(deduction_id)}/appeal/escalate", {"reason": reason},
                         idempotency_key=idempotency_key or new_client_id())

    def decide_appeal(self, deduction_id, upheld, reason, idempotency_key=None):
        return self.post(f"/deductions/{int(deduction_id)}/appeal/decision",
                         {"upheld": bool(upheld), "reason": reason},
                         idempotency_key=idempotency_key or new_client_id())

    def appeals(self, status="pending", site_id=None):
        return self.get("/appeals", status=status, site_id=site_id)

    def ledger(self, month, site_id=None):
        return self.get(f"/ledger/{month}", site_id=site_id)

    def close_ledger(self, month, site_id=None, idempotency_key=None):
        return self.post(f"/ledger/{month}/close", {}, params={"site_id": site_id},
                         idempotency_key=idempotency_key or new_client_id())

    def payroll(self, month, site_id=None, fmt="xlsx"):
        """The payroll export's bytes: ``fmt`` is ``xlsx`` or ``csv``."""
        if fmt not in ("xlsx", "csv"):
            raise ValueError("fmt is xlsx or csv")
        return self.get_bytes(f"/ledger/{month}/payroll.{fmt}", site_id=site_id)

    def posting_html(self, month, site_id=None):
        return self.get_bytes(f"/ledger/{month}/posting.html", site_id=site_id).decode("utf-8")

    # --- reports and audit -------------------------------------------------------------------------

    def policy(self):
        """The policy figures in force: yuan per point, tiers, posting, 70/30 split, time limits."""
        return self.get("/policy")

    def policy_versions(self):
        """Every policy version, newest first (effective date, who, note, which is in force)."""
        return self.get("/policy/versions")

    def add_policy_version(self, policy, effective_from, based_on, note=""):
        """A manager's new version of the whole policy from ``effective_from`` (409 if someone else
        stored one since ``based_on``; 422 field errors under ``policy.…``)."""
        return self.post("/policy/versions", json={"policy": policy, "effective_from": str(effective_from),
                                                   "based_on": based_on, "note": note})

    def report_summary(self, site_id=None, date=None):
        return self.get("/reports/summary", site_id=site_id, date=date)

    def report_pass_rate(self, site_id=None, since=None, until=None, group="checklist", interval="day"):
        return self.get("/reports/pass-rate", site_id=site_id, since=since, until=until, group=group,
                        interval=interval)

    def rounds(self, site_id=None, date=None):
        """Rounds as walked on a local day: each point's timing, order and proof of presence."""
        return self.get("/rounds", site_id=site_id, date=date)

    def report_rounds_html(self, site_id=None, date=None):
        """The day's printable round report (HTML)."""
        return self.get_bytes("/reports/rounds.html", site_id=site_id, date=date).decode("utf-8")

    def report_zone_ranking(self, site_id=None, month=None):
        return self.get("/reports/zone-ranking", site_id=site_id, month=month)

    def report_work_orders(self, site_id=None, since=None, until=None, by="trade"):
        return self.get("/reports/work-orders", site_id=site_id, since=since, until=until, by=by)

    def audit(self, object_type=None, user_id=None, action=None, site_id=None, since=None, until=None,
              cursor=None, limit=None):
        return self.get("/audit", object_type=object_type, user_id=user_id, action=action, site_id=site_id,
                        since=since, until=until, cursor=cursor, limit=limit)

    # --- service desk (requests) -----------------------------------------------------------------

    def create_request(self, body):
        """Register a complaint/repair/suggestion; ``body`` carries its own ``client_id`` for retries."""
        return self.post("/requests", body)

    def requests(self, status=None, kind=None, site_id=None, building=None, unit=None, room=None,
                 phone_last4=None, overdue=None, escalated=None, revisit_due=None, category=None, channel=None,
                 trade=None, cursor=None, limit=None):
        flags = {k: (None if v is None else ("true" if v else "false"))
                 for k, v in (("overdue", overdue), ("escalated", escalated), ("revisit_due", revisit_due))}
        return self.get("/requests", status=status, kind=kind, site_id=site_id, building=building, unit=unit,
                        room=room, phone_last4=phone_last4, category=category, channel=channel, trade=trade,
                        cursor=cursor, limit=limit, **flags)

    def request(self, request_id, reveal=False):
        """One request; ``reveal=True`` shows the owner's full name and phone (allowed roles only; audited)."""
        return self.get(f"/requests/{int(request_id)}", reveal="true" if reveal else None)

    def request_transition(self, request_id, action, trade=None, priority=None, note=None, idempotency_key=None):
        body = _clean({"action": action, "trade": trade, "priority": priority, "note": note})
        return self.post(f"/requests/{int(request_id)}/transitions", body,
                         idempotency_key=idempotency_key or new_client_id())

    def revisit_request(self, request_id, satisfied, note="", idempotency_key=None):
        return self.post(f"/requests/{int(request_id)}/revisit", {"satisfied": bool(satisfied), "note": note or ""},
                         idempotency_key=idempotency_key or new_client_id())

    def request_fault(self, request_id, body):
        """A fault notice from a request (``staff_id``, ``fault``, ``points``, ``note``, ``client_id``)."""
        return self.post(f"/requests/{int(request_id)}/faults", body)

    def escalated_requests(self, site_id=None, min_level=None, cursor=None, limit=None):
        return self.get("/requests/escalated", site_id=site_id, min_level=min_level, cursor=cursor, limit=limit)

    def revisit_due_requests(self, site_id=None, cursor=None, limit=None):
        return self.get("/requests/revisit-due", site_id=site_id, cursor=cursor, limit=limit)

    def escalate_requests(self):
        return self.post("/requests/escalate", {})

    def request_stats(self, site_id, month):
        return self.get("/requests/stats", site_id=site_id, month=month)

    def request_stats_xlsx(self, site_id, month):
        return self.get_bytes("/requests/stats.xlsx", site_id=site_id, month=month)

    # --- the holiday calendar (seedrules) -------------------------------------------------

    def holiday_status(self):
        return self.get("/holiday-calendar/status")

    def holiday_year(self, year):
        return self.get(f"/holiday-calendar/{int(year)}")

    def enter_holiday_year(self, year, days):
        """Replace a year's schedule: ``days = [{"date": "2027-02-06", "kind": "holiday", "name": "春节"}]``."""
        return self._request("PUT", f"/holiday-calendar/{int(year)}", json={"days": days})

    def import_holiday_year(self, year, content, filename):
        return self._request("POST", f"/holiday-calendar/{int(year)}/import", files={"file": (filename, content)})

    # --- the ledger sent to finance (seedrules) --------------------------------------------

    def ledger_handover(self, month, site_id=None):
        """The record of the month's ledger going to finance (404 while not sent)."""
        return self.get(f"/ledger/{month}/handover", site_id=site_id)

    def send_ledger_to_finance(self, month, site_id, sent_to, note=""):
        """Record the hand-over to finance (closes the month if still open); once per site and month."""
        return self.post(f"/ledger/{month}/handover", {"sent_to": sent_to, "note": note}, params={"site_id": site_id})

    # --- sanctions and the supervisor's share verified (seedrules) ---------------------------

    def sanctions(self, site_id=None, month=None):
        return self.get("/sanctions", site_id=site_id, month=month)

    def record_sanction(self, body):
        """行政警告/罚款/记过/开除, or for a hidden complaint 公开检讨/只发基本工资/解聘 (body as the API takes it)."""
        return self.post("/sanctions", {k: v for k, v in body.items() if v is not None})

    def carry_out_sanction(self, sanction_id, note=""):
        return self.post(f"/sanctions/{int(sanction_id)}/carry-out", {"note": note})

    def verify_supervisor(self, deduction_id, verified, finding):
        return self.post(f"/deductions/{int(deduction_id)}/supervisor-verification",
                         {"verified": bool(verified), "finding": finding})

    # --- the performance-scoring scheme (seedrules) -----------------------------------------

    def performance(self, month, site_id=None):
        return self.get(f"/performance/{month}", site_id=site_id)

    def add_performance_entry(self, body):
        """One daily/weekly/monthly check: negative points a violation, positive outstanding work."""
        return self.post("/performance/entries", body)

    def publish_performance(self, month, site_id):
        return self.post(f"/performance/{month}/publish", {}, params={"site_id": site_id})
    # --- notifications: channels per site, failed deliveries -----------------------------

    def notification_channels(self, site_id=None):
        return self.get("/notification-channels", site_id=site_id)

    def create_notification_channel(self, body, idempotency_key=None):
        """``{site_id, kind, url, name?, secret?, events?, zone_ids?}``; the secret is never shown back."""
        return self.post("/notification-channels", body, idempotency_key=idempotency_key or new_client_id())

    def update_notification_channel(self, channel_id, body):
        return self._request("PATCH", f"/notification-channels/{int(channel_id)}", json=body)

    def disable_notification_channel(self, channel_id):
        return self._request("DELETE", f"/notification-channels/{int(channel_id)}")

    def test_notification_channel(self, channel_id):
        """Send a test message now: ``{notification_id, sent, answer}``."""
        return self.post(f"/notification-channels/{int(channel_id)}/test", {})

    def notifications(self, site_id=None, status="failed", limit=None):
        return self.get("/notifications", site_id=site_id, status=status, limit=limit)

    def resend_notification(self, notification_id):
        return self.post(f"/notifications/{int(notification_id)}/resend", {})
    # --- the organisation (sites, zones, buildings, units, checkpoints, schedules, staff) ------------

    ORG_PATHS = {"sites": "/sites", "zones": "/zones", "buildings": "/buildings", "units": "/units",
                 "checkpoints": "/checkpoints", "schedules": "/schedules", "staff": "/users"}

    def org_list(self, kind, site_id=None, include_inactive=False, cursor=None, limit=None, **filters):
        """One page ``{items, next_cursor}`` of a kind (sites, checkpoints and staff come as one list)."""
        params = dict(site_id=site_id, cursor=cursor, limit=limit, **filters)
        if kind == "staff":
            params = {"site_id": site_id, "active": None if include_inactive else "true"}
        elif kind != "sites":
            params["include_inactive"] = "true" if include_inactive else None
        body = self.get(self.ORG_PATHS[kind], **params)
        return body if isinstance(body, dict) else {"items": body, "next_cursor": None}

    def org_get(self, kind, item_id):
        """One row as its schema shows it (codes, the way the Excel sheet has it)."""
        return self.get(f"{self.ORG_PATHS[kind]}/{int(item_id)}")

    def org_create(self, kind, body):
        return self.post(self.ORG_PATHS[kind], body)

    def org_update(self, kind, item_id, patch):
        return self._request("PATCH", f"{self.ORG_PATHS[kind]}/{int(item_id)}", json=patch)

    def org_deactivate(self, kind, item_id):
        return self.post(f"{self.ORG_PATHS[kind]}/{int(item_id)}/deactivate", {})

    def import_template(self, kind):
        return self.get_bytes(f"/imports/{kind}/template")

    def import_workbook(self, kind, content, filename="import.xlsx", dry_run=False, password=None):
        """Import an .xlsx; 422 (a ValidationError) carries the row errors in ``body['errors']['rows']``."""
        files = {"file": (filename, content,
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
        return self._request("POST", f"/imports/{kind}", params={"dry_run": "true" if dry_run else None,
                                                                 "password": password}, files=files)

    def export_workbook(self, kind, site_id=None):
        return self.get_bytes(f"/exports/{kind}", site_id=site_id)

    def checkpoint_labels(self, site_id, ids=None):
        """The printable QR label sheet (HTML) of a site's checkpoints, or just ``ids``."""
        return self.get_bytes("/checkpoints/labels", site_id=site_id,
                              ids=",".join(str(int(i)) for i in ids) if ids else None)

    # --- complaint handling and repair revisits (seedrules) -----------------------------------

    def judge_complaint(self, request_id, valid, reason):
        return self.post(f"/requests/{int(request_id)}/validity", {"valid": bool(valid), "reason": reason})

    def reply_complaint(self, request_id, method, text=""):
        return self.post(f"/requests/{int(request_id)}/reply", {"method": method, "text": text})

    def register_mail(self, request_id, sender, subject, reported_to):
        return self.post(f"/requests/{int(request_id)}/incoming-mail",
                         {"sender": sender, "subject": subject, "reported_to": reported_to})

    def refer_to_general_manager(self, request_id, reason):
        return self.post(f"/requests/{int(request_id)}/general-manager", {"reason": reason})

    def incoming_mail(self, site_id=None, year=None):
        return self.get("/incoming-mail", site_id=site_id, year=year)

    def complaint_stats(self, site_id, month):
        return self.get("/complaints/stats", site_id=site_id, month=month)

    def repair_revisit_report(self, site_id, month):
        return self.get("/reports/repair-revisits", site_id=site_id, month=month)

    def repair_revisit_report_xlsx(self, site_id, month):
        return self.get_bytes("/reports/repair-revisits.xlsx", site_id=site_id, month=month)

    def revisit_referrals(self, site_id=None):
        return self.get("/repair-revisits/referrals", site_id=site_id)

    # --- root causes and corrective/preventive actions (seedrules) ---------------------------

    def corrective_analysis(self, site_id, month):
        return self.get("/corrective-actions/analysis", site_id=site_id, month=month)

    def corrective_actions(self, site_id, month):
        return self.get("/corrective-actions", site_id=site_id, month=month)

    def create_corrective_action(self, body):
        return self.post("/corrective-actions", body)

    def corrective_done(self, action_id, note):
        return self.post(f"/corrective-actions/{int(action_id)}/done", {"note": note})

    def corrective_verify(self, action_id, effective, note):
        return self.post(f"/corrective-actions/{int(action_id)}/verify", {"effective": bool(effective), "note": note})

    def corrective_report_xlsx(self, site_id, month):
        return self.get_bytes("/corrective-actions/report.xlsx", site_id=site_id, month=month)
