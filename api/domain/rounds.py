"""Rounds as walked (按顺序巡更): each point of a round early, on time, late, missed or out of order.

A round is the tasks one schedule makes for one due time (one person's walk past its checkpoints
in their order, the checkpoints' ``sort_order``). ``walk_points`` is pure; ``rounds_of`` groups a
day's task rows and looks up the inspections that came after a window closed (迟巡, which do not
count for the task) and the presence proof of each point.
"""
from datetime import timedelta

EARLY, ON_TIME, LATE, MISSED, DUE = "early", "on_time", "late", "missed", "due"
LATE_LOOKUP_HOURS = 24


def point_timing(due_at, window_end, state, done_at, late_at=None):
    """One point: early (done before it was due), on_time, late (walked only after its window
    closed: it did not count), missed, or due (still open)."""
    if state == "done" and done_at is not None:
        return EARLY if done_at < due_at else ON_TIME
    if state == "missed":
        return LATE if late_at is not None else MISSED
    return DUE


def out_of_order(walked):
    """For points in their expected order, each with the time it was walked (or None): True for a
    point walked before some point that comes earlier in the order."""
    flags = []
    for i, at in enumerate(walked):
        before = [b for b in walked[:i] if b is not None]
        flags.append(at is not None and any(b > at for b in before))
    return flags


def walk_points(points):
    """points (in the round's order): dicts with due_at, window_end, state, done_at, late_at.
    Returns them with ``timing``, ``walked_at`` and ``out_of_order`` added."""
    out = []
    for p in points:
        timing = point_timing(p["due_at"], p["window_end"], p["state"], p.get("done_at"), p.get("late_at"))
        walked = p.get("done_at") if timing in (EARLY, ON_TIME) else (p.get("late_at") if timing == LATE else None)
        out.append(dict(p, timing=timing, walked_at=walked))
    for p, flag in zip(out, out_of_order([p["walked_at"] for p in out])):
        p["out_of_order"] = flag
    return out


def summary(points):
    counts = {k: 0 for k in (EARLY, ON_TIME, LATE, MISSED, DUE)}
    for p in points:
        counts[p["timing"]] += 1
    counts["out_of_order"] = sum(1 for p in points if p["out_of_order"])
    return counts


# --- thin -------------------------------------------------------------------------------------

def rounds_of(tasks):
    """Group task rows (from ``tasks_for``: with .state, checkpoint, schedule, assignee loaded)
    into rounds, with each point's timing, order and proof of presence."""
    from api.models import Inspection

    if not tasks:
        return []
    done_ids = [t.inspection_id for t in tasks if t.inspection_id]
    inspections = {i.id: i for i in Inspection.select().where(Inspection.id.in_(done_ids))} if done_ids else {}
    missed = [t for t in tasks if t.state == "missed"]
    late = {}
    if missed:
        first = min(t.window_end for t in missed)
        last = max(t.window_end for t in missed) + timedelta(hours=LATE_LOOKUP_HOURS)
        query = (Inspection.select().where(
            Inspection.checkpoint.in_(sorted({t.checkpoint_id for t in missed}))
            & Inspection.task.is_null() & (Inspection.finished_at > first) & (Inspection.finished_at <= last))
            .order_by(Inspection.finished_at))
        for ins in query:
            late.setdefault((ins.checkpoint_id, ins.checklist_key), []).append(ins)
    groups = {}
    for t in tasks:
        groups.setdefault((t.schedule_id, t.due_at), []).append(t)
    rounds = []
    for (_, due_at), rows in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        rows.sort(key=lambda t: (t.checkpoint.sort_order, t.checkpoint.code))
        points = []
        for t in rows:
            ins = inspections.get(t.inspection_id)
            late_ins = None
            if t.state == "missed":
                late_ins = next((i for i in late.get((t.checkpoint_id, t.checklist_key), [])
                                 if t.window_end < i.finished_at <= t.window_end + timedelta(hours=LATE_LOOKUP_HOURS)),
                                None)
            shown = ins or late_ins
            points.append({
                "task_id": t.id, "checkpoint": t.checkpoint, "checklist_key": t.checklist_key,
                "due_at": t.due_at, "window_end": t.window_end, "state": t.state, "done_at": t.done_at,
                "late_at": late_ins.finished_at if late_ins else None,
                "inspection_id": shown.id if shown else None,
                "presence_method": shown.presence_method if shown else None,
                "presence_flag": shown.presence_flag if shown else None,
                "presence_distance_m": shown.presence_distance_m if shown else None,
                "presence_accuracy_m": shown.presence_accuracy_m if shown else None,
            })
        walked = walk_points(points)
        rounds.append({"schedule": rows[0].schedule, "assignee": getattr(rows[0], "assignee", None),
                       "site_id": rows[0].site_id, "due_at": due_at, "window_end": max(t.window_end for t in rows),
                       "points": walked, "counts": summary(walked)})
    return rounds
