"""One marshmallow schema per kind of organisation row — the API body, the Excel row and the CLI import
all load through it. References are by code (site code, zone code, building code, 工号 or username), so a
spreadsheet row and a request body look the same; responses add the database ids.

Each schema lists its columns in order with their Chinese and English headings (``COLUMNS``), which the
workbook template, the export and the import use.
"""
import re
from zoneinfo import ZoneInfo, available_timezones

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from api.domain.vocabulary import SITE_KINDS
from api.models import ROLES, TRADES

CODE_RE = r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9\u4e00-\u9fff_.\-]*$"
KEY_RE = r"^[a-z0-9][a-z0-9_]*$"
TASK_ROLES = ("guard", "cleaner", "technician")
_TRUE = {"1", "true", "yes", "y", "是", "启用", "在职", "有效", "t", True, 1}
_FALSE = {"0", "false", "no", "n", "否", "停用", "离职", "无效", "f", False, 0}


def Code(max_len=40, **kw):
    return fields.String(validate=[validate.Length(min=1, max=max_len),
                                   validate.Regexp(CODE_RE, error="Letters, digits, - _ . only.")], **kw)


def Text(max_len=120, **kw):
    kw.setdefault("load_default", "")
    return fields.String(validate=validate.Length(max=max_len), **kw)


def Name(max_len=120):
    return fields.String(required=True, validate=validate.Length(min=1, max=max_len))


class Flag(fields.Boolean):
    """是/否, yes/no, true/false, 1/0 — as a spreadsheet or a JSON body says it."""

    truthy = _TRUE
    falsy = _FALSE

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip().lower()
        return super()._deserialize(value, attr, data, **kwargs)


class CodeList(fields.Field):
    """A list of codes: a JSON list, or text separated by commas, 、 or spaces (a spreadsheet cell)."""

    def __init__(self, max_len=64, pattern=CODE_RE, **kw):
        kw.setdefault("load_default", list)
        kw["metadata"] = {"type": "array", "maxItems": 100, "items": {"type": "string", "maxLength": max_len},
                          "description": "A list, or one text with the codes separated by commas.",
                          **kw.get("metadata", {})}
        super().__init__(**kw)
        self.max_len, self.pattern = max_len, re.compile(pattern)

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or value == "":
            return []
        if isinstance(value, str):
            parts = re.split(r"[,，、;；\s]+", value)
        elif isinstance(value, (list, tuple)):
            parts = [str(v) for v in value]
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            parts = [str(int(value)) if float(value).is_integer() else str(value)]
        else:
            raise ValidationError("Not a list of codes.")
        out = [p.strip() for p in parts if p.strip()]
        if len(out) > 100:
            raise ValidationError("At most 100 codes.")
        for p in out:
            if len(p) > self.max_len or not self.pattern.match(p):
                raise ValidationError(f"Not a valid code: {p[:40]}")
        return list(dict.fromkeys(out))

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value or [])


class Hhmm(fields.String):
    def __init__(self, **kw):
        kw.setdefault("validate", validate.Length(max=5))
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        m = re.match(r"^([01]?\d|2[0-3]):([0-5]\d)$", text)
        if not m:
            raise ValidationError("A time like 08:00.")
        return f"{int(m.group(1)):02d}:{m.group(2)}"


class RowSchema(Schema):
    """Unknown fields are refused (a typo in a column or a body field is an error, not silence)."""

    class Meta:
        unknown = RAISE

    COLUMNS = ()  # (field, 中文, English, note)
    KEY = ()

    def excel_fields(self):
        return [c[0] for c in self.COLUMNS]


class SiteRow(RowSchema):
    code = Code(required=True)
    name = Name()
    name_en = Text()
    kind = fields.String(load_default="residential", validate=validate.OneOf(SITE_KINDS))
    timezone = fields.String(load_default="Asia/Shanghai", validate=validate.Length(max=64))
    address = Text(255)
    active = Flag(load_default=True)

    COLUMNS = (("code", "场所编号", "Site code", "必填，字母数字，例如 LHY"),
               ("name", "场所名称", "Name", "必填"),
               ("name_en", "英文名称", "English name", ""),
               ("kind", "类型", "Kind", "residential 住宅 / office 写字楼 / commercial 商业"),
               ("timezone", "时区", "Time zone", "默认 Asia/Shanghai"),
               ("address", "地址", "Address", ""),
               ("active", "启用", "Active", "是/否"))
    KEY = ("code",)

    @validates_schema
    def _tz(self, data, **kw):
        tz = data.get("timezone")
        if tz is not None and tz not in available_timezones():
            raise ValidationError("Not a known time zone (e.g. Asia/Shanghai).", "timezone")
        if tz:
            ZoneInfo(tz)


RESPONSIBLE_FIELDS = tuple(f"responsible_{t}" for t in TRADES)
TRADE_ZH = {"cleaning": "保洁", "engineering": "工程", "security": "秩序", "landscaping": "绿化",
            "customer_service": "客服"}


class ZoneRow(RowSchema):
    site_code = Code(required=True)
    code = Code(required=True)
    name = Name()
    name_en = Text()
    active = Flag(load_default=True)
    # 片区责任人 per trade: 工号 or username; absent = unchanged, null or "" = nobody
    responsible_cleaning = fields.String(allow_none=True, validate=validate.Length(max=64))
    responsible_engineering = fields.String(allow_none=True, validate=validate.Length(max=64))
    responsible_security = fields.String(allow_none=True, validate=validate.Length(max=64))
    responsible_landscaping = fields.String(allow_none=True, validate=validate.Length(max=64))
    responsible_customer_service = fields.String(allow_none=True, validate=validate.Length(max=64))

    COLUMNS = (("site_code", "场所编号", "Site code", "必填"),
               ("code", "片区编号", "Zone code", "必填，同一场所内唯一"),
               ("name", "片区名称", "Name", "必填"),
               ("name_en", "英文名称", "English name", ""),
               ("active", "启用", "Active", "是/否"),
               *((f"responsible_{t}", f"{TRADE_ZH[t]}责任人", f"Responsible ({t})",
                  "工号或用户名；留空=不变，填 - 清除") for t in TRADES))
    KEY = ("site_code", "code")


class BuildingRow(RowSchema):
    site_code = Code(required=True)
    code = Code(required=True)
    name = Name()
    name_en = Text()
    zone_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    active = Flag(load_default=True)

    COLUMNS = (("site_code", "场所编号", "Site code", "必填"),
               ("code", "楼栋编号", "Building code", "必填，例如 1"),
               ("name", "楼栋名称", "Name", "必填，例如 1栋"),
               ("name_en", "英文名称", "English name", ""),
               ("zone_code", "所属片区", "Zone code", "该楼栋报修默认派给此片区"),
               ("active", "启用", "Active", "是/否"))
    KEY = ("site_code", "code")


class UnitRow(RowSchema):
    site_code = Code(required=True)
    building_code = Code(required=True)
    code = Code(required=True)
    floor = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=-20, max=300))
    active = Flag(load_default=True)

    COLUMNS = (("site_code", "场所编号", "Site code", "必填"),
               ("building_code", "楼栋编号", "Building code", "必填"),
               ("code", "房号", "Unit", "必填，例如 1-1201（单元-房号）"),
               ("floor", "楼层", "Floor", "整数，可空"),
               ("active", "启用", "Active", "是/否"))
    KEY = ("site_code", "building_code", "code")


class StaffRow(RowSchema):
    employee_no = Code(32, load_default=None, allow_none=True)  # required for new accounts (see save_row)
    username = fields.String(required=True, validate=[
        validate.Length(min=1, max=64), validate.Regexp(r"^[A-Za-z0-9_.\-@]+$", error="Letters, digits, _ . - @ only.")])
    name = Name()
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    trade = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(TRADES))
    phone = Text(32)
    department = Text()
    post = Text()
    supervisor = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    site_codes = CodeList(40)
    responsible_zones = CodeList(40)
    active = Flag(load_default=True)
    password = fields.String(load_only=True, load_default=None, allow_none=True,
                             validate=validate.Length(min=8, max=256))

    COLUMNS = (("employee_no", "工号", "Employee no.", "新人员必填，唯一；再次导入按工号更新（无工号的老账号按登录名）"),
               ("username", "登录名", "Username", "必填，字母数字"),
               ("name", "姓名", "Name", "必填"),
               ("role", "角色", "Role", "guard 秩序员 / cleaner 保洁员 / technician 技工 / service 客服 / "
                                      "supervisor 主管 / manager 经理 / admin 管理员"),
               ("trade", "专业", "Trade", "cleaning 保洁 / engineering 工程 / security 秩序 / landscaping 绿化 / "
                                       "customer_service 客服"),
               ("phone", "电话", "Phone", ""),
               ("department", "部门", "Department", ""),
               ("post", "岗位", "Post", ""),
               ("supervisor", "直接主管", "Supervisor", "主管的工号或登录名"),
               ("site_codes", "所属场所", "Sites", "场所编号，多个用逗号分隔"),
               ("responsible_zones", "责任片区", "Responsible zones", "片区编号（按本人专业），多个用逗号分隔"),
               ("active", "在职", "Active", "是/否"),
               ("password", "初始密码", "Initial password", "仅新建账号时使用，至少 8 位；导出时不含密码"))
    KEY = ("employee_no",)


class CheckpointRow(RowSchema):
    site_code = Code(required=True)
    code = Code(64, required=True)
    name = Name()
    name_en = Text()
    kind = fields.String(required=True, validate=[validate.Length(min=1, max=40),
                                                  validate.Regexp(KEY_RE, error="Lower-case letters, digits, _.")])
    zone_code = Code(required=True)
    checklists = CodeList(64, KEY_RE)
    latitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(min=-180, max=180))
    nfc_tag_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    sort_order = fields.Integer(load_default=0, validate=validate.Range(min=-10**6, max=10**6))
    note = Text(2000)
    active = Flag(load_default=True)

    COLUMNS = (("site_code", "场所编号", "Site code", "必填"),
               ("code", "巡检点编号", "Checkpoint code", "必填，全局唯一，印在二维码标签上"),
               ("name", "名称", "Name", "必填"),
               ("name_en", "英文名称", "English name", ""),
               ("kind", "类型", "Kind", "lobby 大堂 / car_park 车场 / road_lamp 路灯 / drain_cover 井盖 / road 道路 …"),
               ("zone_code", "所属片区", "Zone code", "必填"),
               ("checklists", "检查表", "Checklists", "检查表代码，多个用逗号分隔"),
               ("latitude", "纬度", "Latitude", "可空"),
               ("longitude", "经度", "Longitude", "可空"),
               ("nfc_tag_id", "NFC 标签", "NFC tag id", "可空，唯一"),
               ("sort_order", "巡检顺序", "Order", "整数"),
               ("note", "备注", "Note", ""),
               ("active", "启用", "Active", "是/否"))
    KEY = ("code",)


class ScheduleRow(RowSchema):
    site_code = Code(required=True)
    key = fields.String(required=True, validate=[validate.Length(min=1, max=64),
                                                 validate.Regexp(KEY_RE, error="Lower-case letters, digits, _.")])
    name = Name()
    name_en = Text()
    checklist = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(load_default="guard", validate=validate.OneOf(TASK_ROLES))
    zone_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    checkpoint_kinds = CodeList(40, KEY_RE)
    at = CodeList(5, r"^\d{1,2}:\d{2}$")
    every_minutes = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=10, max=1440))
    from_time = Hhmm(load_default=None, allow_none=True)
    to_time = Hhmm(load_default=None, allow_none=True)
    weekdays = CodeList(1, r"^[1-7]$")
    window_minutes = fields.Integer(load_default=60, validate=validate.Range(min=5, max=1440))
    active = Flag(load_default=True)

    COLUMNS = (("site_code", "场所编号", "Site code", "必填"),
               ("key", "排班编号", "Schedule key", "必填，小写字母数字下划线"),
               ("name", "名称", "Name", "必填"),
               ("name_en", "英文名称", "English name", ""),
               ("checklist", "检查表", "Checklist", "必填，检查表代码"),
               ("role", "执行岗位", "Role", "guard / cleaner / technician"),
               ("zone_code", "片区", "Zone code", "可空=全部片区"),
               ("checkpoint_kinds", "巡检点类型", "Checkpoint kinds", "可空=检查表适用的全部类型"),
               ("at", "固定时间", "At times", "例如 08:00,20:00（与“间隔”二选一）"),
               ("every_minutes", "间隔分钟", "Every (minutes)", "与开始/结束时间一起用"),
               ("from_time", "开始时间", "From", "例如 08:00"),
               ("to_time", "结束时间", "To", "例如 20:00（早于开始=跨夜）"),
               ("weekdays", "星期", "Weekdays", "1-7（周一=1），可空=每天"),
               ("window_minutes", "可完成时长(分钟)", "Window (minutes)", "到点后多久内完成，否则漏检"),
               ("active", "启用", "Active", "是/否"))
    KEY = ("site_code", "key")

    @validates_schema
    def _rule(self, data, partial=False, **kw):
        if partial:
            return
        if data.get("at"):
            if data.get("every_minutes") is not None:
                raise ValidationError("Either fixed times or an interval, not both.", "every_minutes")
            for t in data["at"]:
                Hhmm()._deserialize(t, "at", data)
        elif data.get("every_minutes") is None or not data.get("from_time") or not data.get("to_time"):
            raise ValidationError("Give fixed times, or an interval with a start and an end time.", "at")


SCHEMAS = {"sites": SiteRow, "zones": ZoneRow, "buildings": BuildingRow, "units": UnitRow, "staff": StaffRow,
           "checkpoints": CheckpointRow, "schedules": ScheduleRow}
KINDS = tuple(SCHEMAS)
# Chinese sheet titles (the English kind follows in the sheet name)
KIND_ZH = {"sites": "场所", "zones": "片区", "buildings": "楼栋", "units": "房号", "staff": "人员",
           "checkpoints": "巡检点", "schedules": "排班"}

# marshmallow's messages, in Chinese for the row errors of an import
_ZH = [
    (r"^Missing data for required field\.$", "必填项为空"),
    (r"^Field may not be null\.$", "不能为空"),
    (r"^Unknown field\.$", "未知的列"),
    (r"^Not a valid integer\.$", "不是整数"),
    (r"^Not a valid number\.$", "不是数字"),
    (r"^Not a valid boolean\.$", "应填 是 或 否"),
    (r"^Not a valid string\.$", "不是文字"),
    (r"^Longer than maximum length (\d+)\.$", r"超过最大长度 \1"),
    (r"^Shorter than minimum length (\d+)\.$", r"少于最小长度 \1"),
    (r"^Length must be between (\d+) and (\d+)\.$", r"长度应在 \1 到 \2 之间"),
    (r"^Must be one of: (.*)\.$", r"必须是以下之一：\1"),
    (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$", r"应在 \1 到 \2 之间"),
    (r"^Letters, digits, - _ \. only\.$", "只能用字母、数字、- _ ."),
    (r"^Letters, digits, _ \. - @ only\.$", "只能用字母、数字、_ . - @"),
    (r"^Lower-case letters, digits, _\.$", "只能用小写字母、数字、下划线"),
    (r"^Not a valid code: (.*)$", r"编号无效：\1"),
    (r"^A time like 08:00\.$", "时间格式应如 08:00"),
    (r"^Not a known time zone.*$", "未知时区（例如 Asia/Shanghai）"),
    (r"^Either fixed times or an interval, not both\.$", "固定时间与间隔只能二选一"),
    (r"^Give fixed times, or an interval with a start and an end time\.$", "请填写固定时间，或间隔分钟及开始、结束时间"),
    (r"^At most 100 codes\.$", "最多 100 个编号"),
    (r"^Not a list of codes\.$", "不是编号列表"),
]


def zh_reason(message):
    for pattern, zh in _ZH:
        if re.match(pattern, message):
            return re.sub(pattern, zh, message)
    return message
