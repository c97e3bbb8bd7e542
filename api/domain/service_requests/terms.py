"""The service desk's words: kinds, channels, categories, statuses, faults, and their Chinese names
(all from ``api/domain/vocabulary.py``)."""
from api.domain import vocabulary as vocab
from api.domain.vocabulary import PRIORITIES, TRADES  # noqa: F401  (the desk's priorities and departments)
from api.models.requests import (ACTIVE_REQUEST_STATUSES, REQUEST_CATEGORIES, REQUEST_CHANNELS,
                                 REQUEST_KINDS, REQUEST_STATUSES)

KINDS = REQUEST_KINDS
CHANNELS = REQUEST_CHANNELS
CATEGORIES = REQUEST_CATEGORIES
STATUSES = REQUEST_STATUSES
ACTIVE = ACTIVE_REQUEST_STATUSES
DEPARTMENTS = vocab.DEPARTMENTS
FAULTS = vocab.REQUEST_FAULTS


def _zh(kind):
    return {k: v[0] for k, v in vocab.LABELS[kind].items()}


KIND_NAMES = _zh("req_kind")
CATEGORY_NAMES = _zh("req_category")
FAULT_NAMES = _zh("req_fault")
LEVEL_NAMES = _zh("req_level")
CHANNEL_NAMES = _zh("req_channel")
STATUS_NAMES = _zh("req_status")
TRADE_NAMES = _zh("trade")

# action -> (statuses it may start from, status it leads to; None: decided by the action)
TRANSITIONS = vocab.REQUEST_TRANSITIONS
