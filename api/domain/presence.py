"""Proof of presence: was the guard really at the checkpoint?

Per checkpoint (or per kind of checkpoint) the policy says which proofs count: the QR label
scanned, the NFC tag read, a GPS fix within a radius of the checkpoint's position, or the code
typed by hand — the last only with a reason, and always flagged for the supervisor. A proof that
does not hold is refused (422) or flagged, as the policy says.

``rule_for`` and ``check_presence`` are pure (values in, values out); ``distance_m`` is the
great-circle distance.
"""
import math
from dataclasses import dataclass

METHODS = ("qr", "nfc", "gps", "typed")
FLAGS = ("typed_code", "outside_radius", "poor_accuracy", "no_checkpoint_position", "nfc_unregistered",
         "no_proof")

DEFAULTS = {
    "radius_m": 60.0, "max_accuracy_m": 100.0, "outside_radius": "flag", "missing": "allow",
    "typed_needs_reason": True, "default": list(METHODS), "by_kind": {}, "by_checkpoint": {},
}


@dataclass
class Presence:
    """What is stored on the inspection."""

    method: object = None
    accuracy_m: object = None
    distance_m: object = None
    reason: str = ""
    flag: object = None


def distance_m(lat1, lon1, lat2, lon2):
    """Metres between two WGS-84 points (haversine, mean Earth radius)."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def rule_for(policy_presence, kind, code):
    """The presence rule of one checkpoint: the policy's section with its accepted methods
    resolved (the checkpoint's own entry, else its kind's, else the default)."""
    p = dict(DEFAULTS, **(policy_presence or {}))
    methods = p["by_checkpoint"].get(code) or p["by_kind"].get(kind) or p["default"]
    return dict(p, methods=list(methods))


def tag_ids_of(value):
    """A checkpoint's stored NFC tag ids (one, or several separated by commas or spaces), normalised."""
    if not value:
        return set()
    return {norm_tag(t) for t in str(value).replace(",", " ").split() if t.strip()}


def norm_tag(tag):
    """'04:A2:1B:...' and '04a21b...' are the same tag."""
    return "".join(ch for ch in str(tag).lower() if ch.isalnum())


def check_presence(rule, claim, location, position, tag_ids):
    """(Presence to store, field errors) for one submission.

    claim: {"method", "tag_id", "reason"} or None; location: {"lat", "lon", "accuracy_m"} or None;
    position: (lat, lon) of the checkpoint or None; tag_ids: the checkpoint's stored tags."""
    errors = {}
    out = Presence()
    if location and position:
        out.distance_m = round(distance_m(location["lat"], location["lon"], position[0], position[1]), 1)
    if location and location.get("accuracy_m") is not None:
        out.accuracy_m = float(location["accuracy_m"])
    if not claim or not claim.get("method"):
        if rule["missing"] == "refuse":
            errors["presence"] = ["Show that you are at the checkpoint: scan its label, read its tag or "
                                  "share your location."]
        elif rule["missing"] == "flag":
            out.flag = "no_proof"
        return out, errors
    method = claim["method"]
    out.method = method
    out.reason = (claim.get("reason") or "").strip()
    if method not in rule["methods"]:
        methods = ", ".join(rule["methods"])
        errors["presence.method"] = [f"At this checkpoint presence is shown by: {methods}."]
        return out, errors
    if method == "typed":
        if rule["typed_needs_reason"] and not out.reason:
            errors["presence.reason"] = ["Say why the code was typed (label damaged, tag missing...)."]
        out.flag = "typed_code"
    elif method == "nfc":
        tag = norm_tag(claim.get("tag_id") or "")
        if not tag:
            errors["presence.tag_id"] = ["The tag's id is missing."]
        elif not tag_ids:
            out.flag = "nfc_unregistered"
        elif tag not in tag_ids:
            errors["presence.tag_id"] = ["This tag does not belong to this checkpoint."]
    elif method == "gps":
        if not location:
            errors["location"] = ["A GPS proof needs the location."]
        elif not position:
            out.flag = "no_checkpoint_position"
        elif out.distance_m > rule["radius_m"]:
            if rule["outside_radius"] == "refuse":
                far, limit = round(out.distance_m), round(rule["radius_m"])
                errors["location"] = [f"You are {far} m from the checkpoint; within {limit} m is required."]
            out.flag = "outside_radius"
        elif out.accuracy_m is not None and out.accuracy_m > rule["max_accuracy_m"]:
            out.flag = "poor_accuracy"
    return out, errors


def checkpoint_position(checkpoint):
    """(lat, lon) of a checkpoint, whichever names the model gives its columns, or None."""
    lat = getattr(checkpoint, "latitude", None)
    lon = getattr(checkpoint, "longitude", None)
    if lat is None or lon is None:
        lat, lon = getattr(checkpoint, "lat", None), getattr(checkpoint, "lon", None)
    return (lat, lon) if lat is not None and lon is not None else None
