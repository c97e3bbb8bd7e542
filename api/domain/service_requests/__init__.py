"""The service desk (客服): owners' complaints, repair requests and suggestions.

Rules (seed 003 投诉处理, seed 001 报修处理程序, checklists/policy.yaml):

- **Time limits.** A complaint or suggestion within the desk's own scope is handled the same day:
  by 24:00 site time of the day it was received (``complaints.desk_same_day``). One received at
  23:50 is therefore due at 24:00 and, if still open then, goes up to the customer-service
  supervisor: the seed says "不得超过当日", and a late-evening call is exactly when the night's
  supervisor must know. A company that wants a late-evening grace sets
  ``complaints.desk_min_hours`` (optional): the limit is then never shorter than that many hours.
  Transferred to a department, it is due by 24:00 of the ``transfer_days``-th day after the day it
  was received, counted in calendar or working days (``transfer_days_kind``; working days follow
  the official China calendar with its adjusted weekends). A repair request must be responded to
  (taken in hand or dispatched) within ``work_orders.respond_hours`` (2 h emergency / 24 h normal)
  and, as it is always a department's job, finished within the transfer limit.
- **Escalation** (三级负责制 接待人 → 客服主管 → 主管副总经理): a request that missed a limit is at
  level 1 ``escalation.supervisor_after_hours`` after the missed limit, and at level 2
  ``manager_after_hours`` after that. Special/urgent matters are at level 2 from the start (the
  duty manager). Each step is a RequestEvent, made once by a conditional update.
- **Transfer** creates a linked work order (source "request") without the owner's name or phone;
  a transferred request is done only when every one of its orders is verified.
- **Revisit** (回访) within ``work_orders.revisit_working_days`` working days after completion;
  "not satisfied" reopens the request and its orders; an unrevisited request stays on the
  revisit-due list.
- **Privacy.** Owners' names and phones are masked (``张**``, ``138****5678``) except for the
  request's handler, its creator and managers; field staff never see requests.

The pure part computes from values; the thin part loads rows and applies them. Callers own the
transaction (``write_tx``) and the audit.

The package, by what each part is about:

- ``terms``: kinds, channels, categories, statuses, faults and their Chinese names.
- ``privacy``: masking owners' names and phones, what field staff may read, who sees the owner.
- ``limits``: the time limits (respond by, due at) and the missed limit, from policy and the site's zone.
- ``desk``: registering a request and the desk's actions on it (handle, transfer, complete, revisit...).
- ``upkeep``: the lazy jobs: escalating overdue requests, following the linked work orders.
- ``faults``: staff fault notices raised from a request.
- ``stats``: the month's statistics and their workbook.
"""
