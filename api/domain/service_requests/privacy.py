"""Owners' privacy on the desk: masked names and phones, text safe for field staff, who sees the owner."""
import re

from api.domain.privacy import scrub


def normalise_phone(phone):
    """Digits (and a leading +) only: '138-0013 5678' -> '13800135678'."""
    phone = (phone or "").strip()
    plus = phone.startswith("+")
    digits = re.sub(r"\D", "", phone)
    return ("+" if plus and digits else "") + digits


def last4(phone):
    return re.sub(r"\D", "", phone or "")[-4:]


def mask_phone(phone):
    """138****5678: the first three and the last four digits of a mobile; only the last four otherwise."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) > 4:
        return "****" + digits[-4:]
    return "****"


def mask_name(name):
    """张** : the family name and two stars, whatever the length (the length is not revealed)."""
    name = (name or "").strip()
    return name[:1] + "**" if name else ""


def scrub_owner(text, name, phone=None):
    """Text safe for field staff: the owner's name and every phone-like number removed
    (``api.domain.privacy.scrub``: however the number is written)."""
    return scrub(text, [name])


def location_text(building="", unit="", room="", public_area=""):
    """'3栋2单元1201' or the public area."""
    parts = []
    if building:
        parts.append(building if re.search(r"\D$", building) else f"{building}栋")
    if unit:
        parts.append(unit if re.search(r"\D$", unit) else f"{unit}单元")
    if room:
        parts.append(room)
    text = "".join(parts)
    if public_area:
        text = f"{text} {public_area}".strip() if text else public_area
    return text

