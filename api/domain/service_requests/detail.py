"""One request as its detail shows it, read in a fixed number of queries (never one per event, actor
or linked order)."""
from peewee import JOIN, prefetch

from api.models import RequestEvent, RequestPhoto, ServiceRequest, User, WorkOrder


def request_detail(request_id):
    """The request with its handler and creator, ``events`` (oldest first, each with its actor),
    ``photo_links`` and ``linked_orders`` (each with its assignee): four queries in all."""
    handler, creator, actor, assignee = User.alias(), User.alias(), User.alias(), User.alias()
    requests = (ServiceRequest.select(ServiceRequest, handler, creator)
                .join(handler, JOIN.LEFT_OUTER, on=(ServiceRequest.handler == handler.id), attr="handler")
                .switch(ServiceRequest)
                .join(creator, on=(ServiceRequest.created_by == creator.id), attr="created_by")
                .where(ServiceRequest.id == request_id))
    events = (RequestEvent.select(RequestEvent, actor)
              .join(actor, JOIN.LEFT_OUTER, on=(RequestEvent.actor == actor.id), attr="actor")
              .order_by(RequestEvent.id))
    req = prefetch(requests, events, RequestPhoto.select().order_by(RequestPhoto.id))[0]
    req.linked_orders = list(WorkOrder.select(WorkOrder, assignee)
                             .join(assignee, JOIN.LEFT_OUTER, on=(WorkOrder.assignee == assignee.id),
                                   attr="assignee")
                             .where(WorkOrder.request_id == request_id).order_by(WorkOrder.id))
    return req
