"""What the organisation pages (场所与片区, 楼栋与房号, 巡检点, 排班, 人员) share: a list of one kind with a
row picked for editing, a create form, deactivation, and the Excel template, export and import (row errors
shown by sheet, row and column). Every call goes through ``console.client``; rows are the API's row schema
(codes, as in the Excel sheet)."""
import pandas as pd
import streamlit as st

from console import drafts, ui
from console.client import ApiError, AuthError, ValidationError
from console.i18n import label, pick, t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def guard_page(title_key):
    st.title(t(title_key))
    ui.require("org.edit")


def refresh():
    """Forget cached sites and staff after a change, so pickers show it."""
    for key in ("sites", "_staff"):
        st.session_state.pop(key, None)


def site_code(site_id):
    return (ui.site_by_id(site_id) or {}).get("code")


def load_items(kind, site_id, include_inactive, **filters):
    """Every page of a kind for a site (the lists here are a site's set-up: hundreds, not millions)."""
    items, cursor = [], None
    for _ in range(50):
        page = ui.load(ui.client().org_list, kind, site_id=site_id, include_inactive=include_inactive,
                       cursor=cursor, limit=200 if kind not in ("sites", "checkpoints", "staff") else None, **filters)
        items += page.get("items", [])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return items


def table(items, columns, key, multi=False):
    """A table of ``columns`` ({field: caption key or callable}); returns the picked rows' items."""
    if not items:
        st.info(t("nothing_here"))
        return []
    rows = []
    for it in items:
        row = {}
        for name, how in columns.items():
            value = how(it) if callable(how) else it.get(how)
            if isinstance(value, bool):
                value = t("yes") if value else t("no")
            elif isinstance(value, (list, tuple)):
                value = "，".join(str(v) for v in value)
            row[t(name)] = value
        rows.append(row)
    picked = st.dataframe(pd.DataFrame(rows), hide_index=True, on_select="rerun",
                          selection_mode="multi-row" if multi else "single-row", key=key, use_container_width=True)
    sel = picked.selection.rows if picked and hasattr(picked, "selection") else []
    return [items[i] for i in sel if i < len(items)]


# --- forms ------------------------------------------------------------------------------------

def field_input(spec, current, key, container=st):
    """One form field from its spec ``(name, kind, options)``; returns the value to send. The row's value is
    the widget's start only while the session (or a kept draft) has none for it."""
    name, kind = spec[0], spec[1]
    opts = spec[2] if len(spec) > 2 else None
    caption = t(f"org_f_{name}")
    value = current.get(name)

    def start(v, arg="value"):
        return {} if key in st.session_state else {arg: v}

    if kind == "text":
        return container.text_input(caption, key=key, **start(value or "")).strip()
    if kind == "password":
        return container.text_input(caption, value="", key=key, type="password")
    if kind == "int":
        return container.number_input(caption, step=1, key=key, format="%d",
                                      **start(int(value) if value is not None else None))
    if kind == "float":
        return container.number_input(caption, format="%.6f", key=key,
                                      **start(float(value) if value is not None else None))
    if kind == "bool":
        return container.checkbox(caption, key=key, **start(True if value is None else bool(value)))
    if kind == "choice":
        choices = dict(opts() if callable(opts) else opts)
        keys = list(choices)
        index = keys.index(value) if value in keys else 0
        return ui.choose(caption, choices, key, container, index=index)
    if kind == "multi":
        choices = dict(opts() if callable(opts) else opts)
        default = [v for v in (value or []) if v in choices]
        return container.multiselect(caption, list(choices), format_func=choices.get, key=key,
                                     **start(default, "default"))
    if kind == "codes":
        return [p.strip() for p in container.text_input(caption, key=key, help=t("org_codes_help"),
                                                           **start("，".join(value or [])))
                .replace("，", ",").split(",") if p.strip()]
    raise ValueError(kind)


def form(kind, specs, current, key, submit_label, extra=None):
    """A form of ``specs`` whose input survives a refresh (a draft, passwords left out); returns the values on
    submit (else None), the places for field errors, and the draft (``.sent()`` once the API took it)."""
    slots = ui.FieldSlots()
    fields = [f"{key}_{spec[0]}" for spec in specs if spec[1] != "password"]
    with drafts.form(key, fields) as draft:
        values = {}
        cols = st.columns(3)
        for i, spec in enumerate(specs):
            box = cols[i % 3]
            values[spec[0]] = field_input(spec, current, f"{key}_{spec[0]}", box)
            with box:
                slots.here(spec[0])
        if extra:
            values.update(extra())
        sent = st.button(submit_label, type="primary", key=f"{key}_submit")
    return (values if sent else None), slots, draft


def _blank_to_none(values):
    return {k: (None if v == "" else v) for k, v in values.items()}


def create_section(kind, specs, site_id, key, fixed=None):
    """新建: a form whose answer is the created row (or its field errors)."""
    values, slots, draft = form(kind, specs, {}, f"{key}_new", t("org_create"))
    if values is not None:
        body = {**(fixed or {}), **_blank_to_none(values)}
        if site_id is not None and kind != "sites" and kind != "staff":
            body["site_code"] = site_code(site_id)
        body = {k: v for k, v in body.items() if v is not None}
        made = ui.act(ui.client().org_create, kind, body, slots=slots)
        if made:
            draft.sent()
            refresh()
            st.session_state["org_flash"] = t("org_created", code=made.get("code") or made.get("key")
                                              or made.get("employee_no") or "")
            st.session_state["org_new_ids"] = st.session_state.get("org_new_ids", []) + [made.get("id")]
            st.rerun()


def edit_section(kind, specs, item, key):
    """编辑 / 停用 of the picked row: PATCH with only the changed fields."""
    if not item:
        st.caption(t("org_pick_to_edit"))
        return
    current = ui.load(ui.client().org_get, kind, item["id"])
    st.subheader(t("org_edit", name=current.get("name") or current.get("code") or current.get("key")))
    values, slots, draft = form(kind, specs, current, f"{key}_edit_{item['id']}", t("org_save"))
    if values is not None:
        values = _blank_to_none(values)
        patch = {k: v for k, v in values.items() if v != current.get(k) and not (v is None and current.get(k) in
                                                                                    ("", None, []))}
        if not patch:
            st.info(t("org_no_change"))
        elif ui.act(ui.client().org_update, kind, item["id"], patch, slots=slots):
            draft.sent()
            refresh()
            st.session_state["org_flash"] = t("org_saved")
            st.rerun()
    if current.get("active", True):
        if st.button(t("org_deactivate"), key=f"{key}_deact_{item['id']}", icon=":material/block:",
                     help=t("org_deactivate_help")):
            if ui.act(ui.client().org_deactivate, kind, item["id"]):
                refresh()
                st.session_state["org_flash"] = t("org_deactivated")
                st.rerun()
    else:
        st.warning(t("org_inactive"))


def flash():
    msg = st.session_state.pop("org_flash", None)
    if msg:
        st.success(msg, icon=":material/check_circle:")


# --- Excel ------------------------------------------------------------------------------------

def excel_section(kind, site_id, key, password=False):
    """模板下载、导出、导入: an import shows its counts, or every row error (nothing written)."""
    c1, c2 = st.columns(2)
    tpl = ui.try_load(ui.client().import_template, kind)
    if tpl:
        c1.download_button(t("org_template"), tpl, file_name=f"{kind}-template.xlsx", mime=XLSX,
                           key=f"{key}_tpl", icon=":material/download:")
    exported = ui.try_load(ui.client().export_workbook, kind, site_id=site_id)
    if exported:
        c2.download_button(t("org_export"), exported, file_name=f"{kind}.xlsx", mime=XLSX, key=f"{key}_exp",
                           icon=":material/table_view:")
    upload = st.file_uploader(t("org_upload"), type=["xlsx"], key=f"{key}_file", help=t("org_upload_help"))
    c3, c4, c5 = st.columns([1, 1, 2])
    dry = c3.checkbox(t("org_dry_run"), value=True, key=f"{key}_dry")
    pw = c5.text_input(t("org_initial_password"), type="password", key=f"{key}_pw") if password else None
    if c4.button(t("org_import"), key=f"{key}_go", type="primary", disabled=upload is None):
        try:
            result = ui.client().import_workbook(kind, upload.getvalue(), upload.name, dry_run=dry,
                                                 password=pw or None)
            st.session_state[f"{key}_result"] = ("ok", result)
            if not dry:
                refresh()
        except AuthError:
            ui.clear_session(t("session_expired"))
            st.rerun()
        except ValidationError as exc:
            rows = ((exc.body or {}).get("errors") or {}).get("rows")
            st.session_state[f"{key}_result"] = ("rows", rows) if rows else ("error", exc)
        except ApiError as exc:
            st.session_state[f"{key}_result"] = ("error", exc)
    shown = st.session_state.get(f"{key}_result")
    if shown:
        what, value = shown
        if what == "ok":
            text = t("org_import_done", created=value["created"], updated=value["updated"],
                     unchanged=value["unchanged"])
            (st.info if value.get("dry_run") else st.success)(
                (t("org_dry_run_done") + " " if value.get("dry_run") else "") + text)
        elif what == "rows":
            st.error(t("org_import_refused", n=len(value)), icon=":material/error:")
            zh = st.session_state.get("lang", "zh") == "zh"
            st.dataframe(pd.DataFrame([{t("org_sheet"): e["sheet"], t("org_row"): e["row"],
                                        t("org_column"): e["column"] or "—",
                                        t("org_reason"): e["reason_zh"] if zh else e["reason"]} for e in value]),
                         hide_index=True, use_container_width=True, key=f"{key}_errors")
        else:
            ui.show_error(value)


def staff_choices(site_id):
    """People of the site for a responsible-person picker: value is 工号 (or username)."""
    out = {"": t("org_nobody")}
    for u in ui.staff(site_id):
        if u.get("active", True):
            out[u.get("employee_no") or u["username"]] = f"{u['name']}（{label('role', u.get('role'))}）"
    return out


def zone_choices(site_id, allow_none=True):
    out = {"": t("org_none")} if allow_none else {}
    out.update({z["code"]: f"{z['code']} {pick(z, 'name')}" for z in ui.zones(site_id)})
    return out


def trade_choices(allow_none=True):
    out = {"": t("org_none")} if allow_none else {}
    out.update({v: label("trade", v) for v in ui.values("trades")})
    return out
