"""One work order as its detail shows it, read in a fixed number of queries (never one per event,
actor, finding or photo link)."""
from peewee import JOIN, prefetch

from api.models import (Finding, FindingPhoto, User, WorkOrder, WorkOrderEvent, WorkOrderFinding, WorkOrderPhoto,
                        Zone)


def order_detail(order_id):
    """The order with its zone and assignee, ``events`` (oldest first, each with its actor),
    ``photo_links`` and ``findings`` (oldest first, each with its ``photo_links``): five queries."""
    assignee, actor = User.alias(), User.alias()
    orders = (WorkOrder.select(WorkOrder, Zone, assignee)
              .join(Zone, JOIN.LEFT_OUTER, on=(WorkOrder.zone == Zone.id), attr="zone")
              .switch(WorkOrder)
              .join(assignee, JOIN.LEFT_OUTER, on=(WorkOrder.assignee == assignee.id), attr="assignee")
              .where(WorkOrder.id == order_id))
    events = (WorkOrderEvent.select(WorkOrderEvent, actor)
              .join(actor, JOIN.LEFT_OUTER, on=(WorkOrderEvent.actor == actor.id), attr="actor")
              .order_by(WorkOrderEvent.id))
    order = prefetch(orders, events, WorkOrderPhoto.select().order_by(WorkOrderPhoto.id))[0]
    findings = (Finding.select().join(WorkOrderFinding).where(WorkOrderFinding.work_order == order_id)
                .order_by(Finding.id))
    order.findings = prefetch(findings, FindingPhoto.select().order_by(FindingPhoto.id))
    return order
