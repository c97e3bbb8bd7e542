"""The example estate shipped with patrol: one site (逸景园), 2 buildings with their units, 3 zones, 20
checkpoints, 12 staff and the site's round and cleaning schedules — as the rows of the Excel sheets a
company fills in. ``patrol examples DIR`` writes them as workbooks (the copies shipped next to this module,
``*.xlsx``, are made from this description: ``python -m api.examples api/examples``).

Import them in this order on an empty database: sites, zones, buildings, units, staff (give the new
accounts a password: ``--password``), checkpoints, schedules.
"""
import os
import shutil
from importlib import resources

SITE = "YJY"
ORDER = ("sites", "zones", "buildings", "units", "staff", "checkpoints", "schedules")


def _sites():
    return [{"code": SITE, "name": "逸景园", "name_en": "Yijing Garden", "kind": "residential",
             "timezone": "Asia/Shanghai", "address": "杭州市西湖区文三路 188 号", "active": True}]


def _zones():
    return [{"site_code": SITE, "code": code, "name": name, "name_en": en, "active": True}
            for code, name, en in (("N", "北区（1 栋）", "North (building 1)"),
                                   ("S", "南区（2 栋）", "South (building 2)"),
                                   ("P", "地下车库", "Underground car park"))]


def _buildings():
    return [{"site_code": SITE, "code": "1", "name": "1栋", "name_en": "Building 1", "zone_code": "N", "active": True},
            {"site_code": SITE, "code": "2", "name": "2栋", "name_en": "Building 2", "zone_code": "S", "active": True}]


def _units():
    rows = []
    for building in ("1", "2"):
        for entrance in (1, 2):  # 单元
            for floor in range(1, 13):
                for room in (1, 2):
                    rows.append({"site_code": SITE, "building_code": building,
                                 "code": f"{entrance}-{floor}{room:02d}", "floor": floor, "active": True})
    return rows


# 工号, username, 姓名, role, trade, 部门, 岗位, supervisor (工号), 责任片区
STAFF = [
    ("YJ001", "zhoujh", "周建华", "manager", None, "项目部", "项目经理", None, []),
    ("YJ002", "wuzq", "吴志强", "supervisor", "security", "秩序部", "秩序主管", "YJ001", []),
    ("YJ011", "liming", "李明", "guard", "security", "秩序部", "巡逻岗", "YJ002", ["N"]),
    ("YJ012", "wanggang", "王刚", "guard", "security", "秩序部", "巡逻岗", "YJ002", ["S"]),
    ("YJ013", "chenjun", "陈军", "guard", "security", "秩序部", "车库岗", "YJ002", ["P"]),
    ("YJ014", "liuyang", "刘洋", "guard", "security", "秩序部", "门岗", "YJ002", []),
    ("YJ015", "zhaolei", "赵磊", "guard", "security", "秩序部", "夜班巡逻岗", "YJ002", []),
    ("YJ021", "zhaoxy", "赵秀英", "cleaner", "cleaning", "环境部", "保洁员", "YJ002", ["N", "S", "P"]),
    ("YJ031", "sunjg", "孙建国", "technician", "engineering", "工程部", "水电工", "YJ001", ["N", "S", "P"]),
    ("YJ032", "huanght", "黄海涛", "technician", "engineering", "工程部", "综合维修工", "YJ031", []),
    ("YJ033", "linxf", "林小峰", "technician", "landscaping", "环境部", "绿化工", "YJ001", ["N", "S"]),
    ("YJ041", "guojing", "郭静", "service", "customer_service", "客服部", "客服专员", "YJ001", ["N", "S", "P"]),
]


def _staff():
    return [{"employee_no": no, "username": user, "name": name, "role": role, "trade": trade,
             "phone": f"1380571{i:04d}", "department": dept, "post": post, "supervisor": sup,
             "site_codes": [SITE], "responsible_zones": zones, "active": True}
            for i, (no, user, name, role, trade, dept, post, sup, zones) in enumerate(STAFF, start=1)]


# code, zone, 名称, English, kind, checklists
CHECKPOINTS = [
    ("YJY-1-LOBBY", "N", "1栋大堂", "Building 1 lobby", "lobby", ["lobby", "zone_cleaning"]),
    ("YJY-2-LOBBY", "S", "2栋大堂", "Building 2 lobby", "lobby", ["lobby", "zone_cleaning"]),
    *((f"YJY-LAMP-{n:02d}", "N" if n <= 3 else "S", f"主干道路灯 {n:02d}", f"Main road lamp {n:02d}", "road_lamp",
       ["road_lamps", "night_lighting"]) for n in range(1, 7)),
    *((f"YJY-DRAIN-{n:02d}", "N" if n <= 2 else "S", f"雨污水井盖 {n:02d}", f"Drain cover {n:02d}", "drain_cover",
       ["drain_covers"]) for n in range(1, 5)),
    ("YJY-ROAD-01", "N", "北区主干道", "North main road", "road", ["roads", "zone_cleaning"]),
    ("YJY-ROAD-02", "S", "南区主干道", "South main road", "road", ["roads", "zone_cleaning"]),
    ("YJY-PLAZA", "S", "中心广场", "Central plaza", "road", ["roads", "zone_cleaning"]),
    ("YJY-B1-CP", "P", "地下车库 B1 层", "Car park level B1", "car_park", ["car_park", "zone_cleaning"]),
    ("YJY-B1-ENT", "P", "车库 B1 出入口", "Car park B1 entrance", "car_park", ["car_park", "zone_cleaning"]),
    ("YJY-B2-CP", "P", "地下车库 B2 层", "Car park level B2", "car_park", ["car_park", "zone_cleaning"]),
    ("YJY-B2-ENT", "P", "车库 B2 出入口", "Car park B2 entrance", "car_park", ["car_park", "zone_cleaning"]),
    ("YJY-REPAIR-01", "N", "1栋外墙维修点", "Building 1 facade repair site", "repair_site", ["repair_site"]),
]


def _checkpoints():
    rows = []
    for i, (code, zone, name, en, kind, lists) in enumerate(CHECKPOINTS, start=1):
        rows.append({"site_code": SITE, "code": code, "name": name, "name_en": en, "kind": kind, "zone_code": zone,
                     "checklists": lists, "latitude": round(30.2770 + i * 0.0002, 6),
                     "longitude": round(120.1300 + (i % 5) * 0.0003, 6), "nfc_tag_id": None, "sort_order": i * 10,
                     "note": "", "active": True})
    return rows


def _schedules():
    def row(key, name, en, checklist, role, window, at=None, every=None, kinds=()):
        return {"site_code": SITE, "key": key, "name": name, "name_en": en, "checklist": checklist, "role": role,
                "zone_code": None, "checkpoint_kinds": list(kinds), "at": list(at or []),
                "every_minutes": every[0] if every else None, "from_time": every[1] if every else None,
                "to_time": every[2] if every else None, "weekdays": [], "window_minutes": window, "active": True}

    return [
        row("lobby_rounds", "大堂巡查（每 2 小时）", "Lobby round (every 2 hours)", "lobby", "guard", 60,
            every=(120, "08:00", "20:00")),
        row("night_lighting", "夜间照明巡查", "Night lighting round", "night_lighting", "guard", 120, at=["22:00"],
            kinds=["road_lamp"]),
        row("car_park_rounds", "车库巡查", "Car park round", "car_park", "guard", 90, every=(240, "06:00", "22:00")),
        row("roads_before_rush_hours", "高峰前道路巡查", "Roads before rush hours", "roads", "guard", 60,
            at=["07:00", "17:00"]),
        row("drain_covers_daily", "井盖巡查", "Drain cover round", "drain_covers", "guard", 240, at=["10:00"]),
        row("repair_site_close", "维修现场收工检查（工完场清）", "Repair site end-of-day check", "repair_site",
            "technician", 90, at=["17:30"]),
        row("zone_cleaning", "片区保洁（每日两次）", "Zone cleaning (twice a day)", "zone_cleaning", "cleaner", 90,
            at=["07:00", "16:30"]),
    ]


ROWS = {"sites": _sites, "zones": _zones, "buildings": _buildings, "units": _units, "staff": _staff,
        "checkpoints": _checkpoints, "schedules": _schedules}


def rows(kind):
    return ROWS[kind]()


def build(directory):
    """Write the example workbooks from this description (what is shipped next to this module)."""
    from api.domain.workbooks import write_workbook

    os.makedirs(directory, exist_ok=True)
    paths = []
    for kind in ORDER:
        path = os.path.join(directory, f"{kind}.xlsx")
        with open(path, "wb") as fh:
            fh.write(write_workbook(kind, rows(kind)))
        paths.append(path)
    return paths


def copy_to(directory):
    """Copy the shipped example workbooks (package data) into ``directory``; returns the paths."""
    os.makedirs(directory, exist_ok=True)
    out = []
    for kind in ORDER:
        src = resources.files(__name__).joinpath(f"{kind}.xlsx")
        dest = os.path.join(directory, f"{kind}.xlsx")
        with src.open("rb") as fh, open(dest, "wb") as target:
            shutil.copyfileobj(fh, target)
        out.append(dest)
    return out

