"""What every page shares: the session's API client, error handling, pickers and time formatting."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import streamlit as st

from console.client import (ApiError, ApiUnavailable, AuthError, ConflictError, ForbiddenError, NotFoundError,
                            PatrolClient, ValidationError)
from console.i18n import LANGS, label, lang, pick, t

DEFAULT_TZ = "Asia/Shanghai"
# keys the session keeps across logouts; everything else belongs to the logged-in user
_KEEP = ("lang", "_dead_tokens")
SESSION_COOKIE = "patrol_session"  # set HttpOnly by the API's POST /auth/session; the console only reads it


# --- session ------------------------------------------------------------------------------

def cookie_token():
    """The browser's session cookie (set by the API at login), or None outside a browser."""
    try:
        value = st.context.cookies.get(SESSION_COOKIE)
    except Exception:  # noqa: BLE001 - no browser request behind this run (AppTest, bare mode)
        return None
    return value if isinstance(value, str) and value else None


def token():
    """The session's token: one logged in through this session, else the browser's cookie (so a refresh,
    a dropped websocket or a pasted link finds the user still logged in) unless it was found dead."""
    tok = st.session_state.get("token")
    if tok:
        return tok
    tok = cookie_token()
    if tok and tok not in st.session_state.get("_dead_tokens", ()):
        return tok
    return None


def forget_token(tok):
    """A token the server no longer accepts (logged out, expired, revoked): never send it again."""
    if tok:
        st.session_state.setdefault("_dead_tokens", set()).add(tok)


def browser_login_available():
    """A real browser is behind this session (it can post the login form to the API and keep the cookie)."""
    try:
        return (st.context.url or "").startswith(("http://", "https://"))
    except Exception:  # noqa: BLE001
        return False


def api_public_url():
    """The API as the browser reaches it: ``PATROL_PUBLIC_API_URL``, else the console's own host name with
    the API's port (the session cookie belongs to the host name, whatever the port)."""
    import os
    from urllib.parse import urlsplit

    explicit = os.environ.get("PATROL_PUBLIC_API_URL")
    if explicit:
        return explicit.rstrip("/")
    base = urlsplit(client().base_url)
    page = urlsplit(st.context.url or "")
    host = page.hostname or base.hostname
    scheme = page.scheme or base.scheme
    port = f":{base.port}" if base.port else ""
    return f"{scheme}://{host}{port}"


def client():
    """The session's client; it holds the token only (the password is never kept)."""
    c = st.session_state.get("_client")
    if c is None or c.token != token() or c.lang != lang():
        c = PatrolClient(token=token(), lang=lang())
        st.session_state["_client"] = c
    return c


def vocabulary():
    """The API's vocabulary in the session's language (labels, value lists, state machines, figure
    definitions), fetched once per language and login."""
    cache = st.session_state.setdefault("_vocab", {})
    if lang() not in cache:
        cache[lang()] = load(client().vocabulary)
    return cache[lang()]


def values(name):
    """A value list of the vocabulary: ``values("trades")``, ``values("request_kinds")``."""
    v = vocabulary()
    return list(v.get(name) or v.get("sets", {}).get(name) or [])


def role_group(name):
    """The roles of one of the vocabulary's groups: ``role_group("assignable")`` (who may be given an order)."""
    return list((vocabulary().get("role_groups") or {}).get(name) or [])


def figure_help(key):
    """What a report figure counts, in words (a tooltip), from the API's definitions."""
    return (vocabulary().get("figures") or {}).get(key)


def clear_session(flash=None):
    for key in list(st.session_state.keys()):
        if key not in _KEEP:
            del st.session_state[key]
    if flash:
        st.session_state["flash"] = flash


def me():
    """The logged-in user (fetched once per login)."""
    if "me" not in st.session_state:
        st.session_state["me"] = load(client().me)
        st.session_state["_logged_in"] = True
    return st.session_state["me"]


def sites():
    if "sites" not in st.session_state:
        st.session_state["sites"] = load(client().sites)
    return st.session_state["sites"]


def site_by_id(site_id):
    return next((s for s in sites() if s["id"] == site_id), None)


def zones(site_id=None):
    out = []
    for s in sites():
        if site_id is None or s["id"] == site_id:
            out.extend(dict(z, site_id=s["id"]) for z in s.get("zones", []))
    return out


def staff(site_id=None):
    """People of the caller's sites (or one site), for pickers; [] for roles that may not list them."""
    cache = st.session_state.setdefault("_staff", {})
    if site_id not in cache:
        cache[site_id] = try_load(client().users, site_id=site_id, default=[]) or []
    return cache[site_id]


def site_tz(site_id=None):
    site = site_by_id(site_id) if site_id else (sites()[0] if sites() else None)
    return ZoneInfo((site or {}).get("timezone") or DEFAULT_TZ)


def language_switch():
    """Chinese unless the user chose English; the choice rides in the URL (``?lang=en``), so a refresh or
    a bookmark keeps it."""
    if "lang" not in st.session_state and st.query_params.get("lang") in LANGS:
        st.session_state["lang"] = st.query_params["lang"]
    current = st.session_state.get("lang", "zh")
    choice = choose(t("language"), LANGS, "_lang_pick", st.sidebar, index=list(LANGS).index(current))
    if choice != current:
        st.session_state["lang"] = choice
        _keep_choices_across_languages()
        st.rerun()
    if current == "zh":
        st.query_params.pop("lang", None)
    elif st.query_params.get("lang") != current:
        st.query_params["lang"] = current


# --- calling the API ------------------------------------------------------------------------

def _expired():
    # a cookie found dead on arrival (logged out elsewhere, long ago) is no news; a session's own token is
    was_in = st.session_state.get("_logged_in") or "token" in st.session_state
    forget_token(token())
    clear_session(t("session_expired") if was_in else None)
    st.rerun()


def show_error(exc):
    """One friendly sentence for any API error."""
    if isinstance(exc, ApiUnavailable):
        st.error(t("api_down", detail=exc.message), icon=":material/cloud_off:")
    elif isinstance(exc, ForbiddenError):
        st.error(t("forbidden", message=exc.message), icon=":material/block:")
    elif isinstance(exc, NotFoundError):
        st.error(t("not_found"), icon=":material/search_off:")
    elif isinstance(exc, ConflictError):
        st.error(t("conflict", message=exc.message), icon=":material/warning:")
    elif isinstance(exc, ValidationError):
        st.error(t("api_error", message=exc.message) + " " + "; ".join(
            f"{k}: {' '.join(v)}" for k, v in exc.fields.items()), icon=":material/edit_note:")
    else:
        st.error(t("api_error", message=exc.message), icon=":material/error:")


def load(fn, *args, **kwargs):
    """Read for a page: on an error the page shows why and stops; an expired token goes to login."""
    try:
        return fn(*args, **kwargs)
    except AuthError:
        _expired()
    except ApiError as exc:
        show_error(exc)
        st.stop()


def try_load(fn, *args, default=None, **kwargs):
    """Read a part of a page that may be absent (e.g. a route the caller's role may not use)."""
    try:
        return fn(*args, **kwargs)
    except AuthError:
        _expired()
    except (ForbiddenError, NotFoundError):
        return default
    except ApiError as exc:
        show_error(exc)
        return default


def act(fn, *args, slots=None, **kwargs):
    """A write: returns the answer, or None after showing the refusal (field errors by their fields)."""
    try:
        return fn(*args, **kwargs)
    except AuthError:
        _expired()
    except ValidationError as exc:
        if slots is not None:
            slots.show(exc)
        else:
            show_error(exc)
    except ApiError as exc:
        show_error(exc)
    return None


class FieldSlots:
    """Places under form fields where the API's 422 field errors appear."""

    def __init__(self):
        self._slots = {}
        self._general = st.empty()

    def here(self, *names):
        ph = st.empty()
        for name in names:
            self._slots[name] = ph
        return ph

    def show(self, exc):
        unplaced = {}
        for path, msgs in exc.fields.items():
            parts = path.split(".")
            ph = None
            for n in range(len(parts), 0, -1):  # "results.3.photo_ids" -> results.3.photo_ids, results.3, results
                ph = self._slots.get(".".join(parts[:n]))
                if ph:
                    break
            if ph:
                ph.error(" ".join(msgs), icon=":material/error:")
            else:
                unplaced[path] = msgs
        text = t("fix_fields") + " " + exc.message
        if unplaced:
            text += " " + "; ".join(f"{k}: {' '.join(v)}" for k, v in unplaced.items())
        self._general.error(text, icon=":material/edit_note:")


def retry_key(name):
    """A client_id kept until its create succeeds, so a retried click does the write once."""
    from console.client import new_client_id

    skey = f"_cid_{name}"
    if skey not in st.session_state:
        st.session_state[skey] = new_client_id()
    return st.session_state[skey]


def forget_retry_key(name):
    st.session_state.pop(f"_cid_{name}", None)


def photo_bytes(photo_id, size="thumb"):
    """A photo fetched with the session's token; kept per session (photo ids are content hashes)."""
    cache = st.session_state.setdefault("_photos", {})
    key = (photo_id, size)
    if key not in cache:
        try:
            cache[key] = client().photo(photo_id, size)
        except AuthError:
            _expired()
        except ApiError:
            cache[key] = None
        if len(cache) > 300:
            cache.pop(next(iter(cache)))
    return cache[key]


# --- bookmarkable pages: filters and the open item live in the URL ---------------------------------

def _from_url(text, kind):
    if kind is bool:
        return text == "1"
    if kind is int:
        try:
            return int(text)
        except ValueError:
            return None
    return text


def url_state(spec):
    """Widgets whose values live in the page's URL (``?wo_trade=cleaning&wo_zone=3``): a bookmark, a pasted
    link or a refresh opens the page with the same filters, and coming back from a detail view shows the
    filters that apply. Call before the widgets (``spec`` = {widget key: int | str | bool}); call the
    function it returns after them, to write the current values back."""
    params = st.query_params
    for key, kind in spec.items():
        if key not in st.session_state and key in params:
            value = _from_url(params[key], kind)
            if value is not None:
                st.session_state[key] = value
        elif key not in st.session_state and f"_url_{key}" in st.session_state:
            st.session_state[key] = st.session_state[f"_url_{key}"]  # the widget was off screen a while

    def sync():
        for key, kind in spec.items():
            value = st.session_state.get(key)
            if value is None or value == _ANY or value is False or value == "":
                st.session_state.pop(f"_url_{key}", None)
                if key in st.query_params:
                    del st.query_params[key]
                continue
            st.session_state[f"_url_{key}"] = value
            text = ("1" if value else "0") if kind is bool else str(value)
            if st.query_params.get(key) != text:
                st.query_params[key] = text

    return sync


# --- pickers --------------------------------------------------------------------------------

_ANY = "__any__"


def choose(caption, choices, key, container=st, widget="selectbox", **kw):
    """A selectbox (or radio) over ``{value: text}``: texts are made now, so format_func stays a plain lookup."""
    # None ("all") stands in as a sentinel: a widget state of None would mean "nothing chosen"
    texts = {(_ANY if v is None else v): text for v, text in dict(choices).items()}
    st.session_state.setdefault("_choice_keys", set()).add(key)
    if widget == "selectbox":
        kw.setdefault("placeholder", t("choose_placeholder"))
    if key in st.session_state:  # set from the URL or kept: a default as well would draw Streamlit's warning
        kw.pop("index", None)
        kw.pop("default", None)
        if st.session_state[key] not in texts:  # e.g. a zone of another site, from an old bookmark
            del st.session_state[key]
    value = getattr(container, widget)(caption, list(texts), key=key, format_func=texts.__getitem__, **kw)
    return None if value == _ANY else value


def _keep_choices_across_languages():
    """A choice widget remembers the text it showed; after a language switch, set it again by its value."""
    for key in st.session_state.get("_choice_keys", set()):
        if key != "_lang_pick" and key in st.session_state:
            value = st.session_state[key]
            del st.session_state[key]
            st.session_state[key] = value


def site_picker(key, allow_all=True, container=st):
    """A site selectbox; None means all of the caller's sites."""
    choices = {None: t("all_sites")} if allow_all and len(sites()) > 1 else {}
    choices.update({s["id"]: pick(s, "name") for s in sites()})
    if not choices:
        return None
    return choose(t("site"), choices, key, container)


def zone_picker(key, site_id, container=st):
    choices = {None: t("all")}
    choices.update({z["id"]: pick(z, "name") for z in zones(site_id)})
    return choose(t("zone"), choices, key, container)


def enum_picker(kind, values, key, container=st, allow_all=True, caption=None, index=0):
    choices = {None: t("all")} if allow_all else {}
    choices.update({v: label(kind, v) for v in values})
    return choose(caption or t(kind if kind in ("trade", "priority", "status") else "status"), choices, key,
                  container, index=index)


def month_options(n=12, today=None):
    today = today or datetime.now(ZoneInfo(DEFAULT_TZ)).date()
    out, y, m = [], today.year, today.month
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out


WORKING_MONTH_UNTIL_DAY = 5  # by the 5th the month's ledger goes to finance: until then, last month is the one in hand


def working_month_index(today):
    """Which of ``month_options`` a manager is working on: last month from the 1st to the 5th, else this one."""
    return 1 if today.day <= WORKING_MONTH_UNTIL_DAY else 0


def month_text(month):
    """'2026-03' -> 2026年3月 (zh) / 2026-03 (en)."""
    if lang() != "zh" or not month:
        return month
    y, m = month.split("-")
    return f"{y}年{int(m)}月"


def month_picker(key, container=st, today=None, caption=None):
    """A month selectbox over the last 12 months, defaulting to the month being worked on."""
    today = today or datetime.now(ZoneInfo(DEFAULT_TZ)).date()
    options = month_options(12, today)
    return choose(caption or t("month"), {m: month_text(m) for m in options}, key, container,
                  index=working_month_index(today))


def local_today(site_id=None):
    return datetime.now(site_tz(site_id)).date()


def day_bounds_utc(first, last, site_id=None):
    """Local calendar days [first, last] as aware ISO instants for since/until filters."""
    tz = site_tz(site_id)
    since = datetime.combine(first, datetime.min.time(), tz)
    until = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz)
    return since.isoformat(), until.isoformat()


# --- formatting -----------------------------------------------------------------------------

def parse_time(value):
    if not value:
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def fmt_time(value, site_id=None, with_year=False):
    dt = parse_time(value)
    if dt is None:
        return "—"
    local = dt.astimezone(site_tz(site_id))
    return local.strftime("%Y-%m-%d %H:%M" if with_year else "%m-%d %H:%M")


def fmt_duration(delta):
    minutes = int(abs(delta.total_seconds()) // 60)
    d, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    zh = lang() == "zh"
    if d:
        return f"{d}天{h}小时" if zh else f"{d} d {h} h"
    if h:
        return f"{h}小时{m}分" if zh else f"{h} h {m} min"
    return f"{m}分钟" if zh else f"{m} min"


def order_countdown(order):
    """(text, overdue?) for the deadline that matters in the order's status (the API counts the seconds);
    the text names that deadline ("响应剩余 3小时", "完成已超时 2天1小时", "回访剩余 8小时0分")."""
    status = order.get("status")
    secs, which = None, None
    if status in ("open", "assigned"):
        secs, which = order.get("respond_seconds_left"), "respond"
    if secs is None and status in ("open", "assigned", "accepted", "in_progress"):
        secs, which = order.get("resolve_seconds_left"), "resolve"
    if status == "done":
        secs, which = order.get("revisit_seconds_left"), "revisit"
    if secs is None:
        return None, False
    if secs >= 0:
        return t(f"{which}_left", d=fmt_duration(timedelta(seconds=secs))), False
    return t(f"{which}_overdue_by", d=fmt_duration(timedelta(seconds=-secs))), True


def escalation_text(level):
    """"已升级至主管" / "已升级至经理" for a work order's escalation level (0 = none)."""
    return t("escalated_to", who=label("wo_level", level)) if level else ""


def pct(value):
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%" if float(value) <= 1 else f"{float(value):.1f}%"


def money(value):
    if value is None or value == "":
        return "—"
    return f"¥{value}"


def flash():
    msg = st.session_state.pop("flash", None)
    if msg:
        st.warning(msg, icon=":material/info:")


def name_of(obj, *fields):
    """The first present name-like field of a nested object, e.g. ``assignee`` -> its name."""
    if obj is None:
        return "—"
    if isinstance(obj, str):
        return obj
    for f in fields or ("name",):
        if obj.get(f):
            return obj[f]
    return str(obj.get("id", "—"))


def frame(rows, columns=None):
    """A table for ``st.dataframe``: an empty cell shows "—", never "None" or "nan"."""
    import pandas as pd

    df = pd.DataFrame(rows, columns=columns)

    def text(v):
        if v is None or (isinstance(v, float) and v != v):
            return "—"
        if isinstance(v, float):
            return str(int(v)) if v.is_integer() else f"{v:.1f}"
        return str(v)

    for col in df.columns:
        if df[col].isna().any():  # a column with gaps becomes text, so the gap can read "—"
            df[col] = df[col].map(text)
    return df


# Streamlit draws some texts of its own widgets in English whatever the page's language; these rules put the
# office's words in their place (the uploader's drop zone and button; "Press Enter to apply" is hidden, a field's
# value is taken when it loses focus anyway). Selectboxes get placeholder="请选择".
_WIDGET_TEXTS_CSS = {
    "zh": """<style>
[data-testid='stFileUploaderDropzoneInstructions'] span{font-size:0}
[data-testid='stFileUploaderDropzoneInstructions'] span::after{content:'{limit}';font-size:.85rem}
[data-testid='stFileUploaderDropzone'] button p{font-size:0}
[data-testid='stFileUploaderDropzone'] button p::after{content:'选择文件';font-size:.9rem}
[data-testid='InputInstructions']{display:none}
[data-testid='stStatusWidget'] label,[data-testid='stStatusWidget'] button{display:none}
</style>""",
}


def widget_texts():
    """Chinese texts for Streamlit's own widget captions (where CSS can reach them)."""
    css = _WIDGET_TEXTS_CSS.get(lang())
    if css:
        st.html(css.replace("{limit}", t("upload_limit")))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~:$<&])")


def plain(text):
    """Text a person typed (a guard's note, an owner's complaint, a name), made safe to put inside
    Streamlit markdown: every markdown character is escaped, so ``![](https://…)`` shows as text
    instead of loading a remote image, and ``[link](…)`` or ``:red[…]`` do nothing."""
    if text is None:
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def note_text(note, system=False):
    """An event's note, safe inside markdown; a note the system wrote as "中文 / English" shows in the
    session's language only."""
    if not note:
        return ""
    if system and " / " in note:
        zh, _, en = note.partition(" / ")
        return plain(zh if lang() == "zh" else en)
    return plain(note)


def hidden_pages(pages):
    """Add every console page the session does not show as a hidden page of the same address, so a bookmark, a
    pasted link or another role's link never meets Streamlit's English "Page not found": logged out, it is the
    login (which sends the browser back to that address); logged in, the page says the role may not use it."""
    import os

    listed = pages if isinstance(pages, list) else [p for group in pages.values() for p in group]
    shown = {getattr(p, "_url_path", p.url_path) for p in listed}
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "app_pages")
    for stem in sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py") and f != "login.py"):
        if stem in shown:
            continue
        if not token():
            page = st.Page("app_pages/login.py", url_path=stem, visibility="hidden")
        else:
            page = st.Page(_not_for_this_role, url_path=stem, title=t("app_title"), visibility="hidden")
        (pages if isinstance(pages, list) else pages[next(reversed(pages))]).append(page)


def _not_for_this_role():
    st.title(t("app_title"))
    st.info(t("not_for_this_role"), icon=":material/block:")


def may(action):
    """May the caller take ``action``? The API's permission table as ``GET /me`` serves it (its
    ``actions``): the console keeps no role lists of its own."""
    return action in ((me() or {}).get("actions") or ())


def require(action):
    """Stop the page unless the caller may take ``action``."""
    if not may(action):
        st.info(t("managers_only") if may("console.use") else t("field_staff_no_console"))
        st.stop()


