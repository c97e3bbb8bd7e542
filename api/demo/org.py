"""Demo sites, zones, staff with their responsibilities, and checkpoints."""
from api.auth import hash_password
from api.db import write_tx
from api.models import Checkpoint, Site, User, UserSite, Zone, ZoneResponsible

SITES = [
    dict(code="LHY", name="绿荷苑小区", name_en="Green Lotus Garden", kind="residential",
         address="上海市浦东新区荷花路 88 号"),
    dict(code="HQT", name="华庆大厦", name_en="Huaqing Tower", kind="office",
         address="上海市静安区南京西路 1266 号"),
]

ZONES = {
    "LHY": [("A", "北片区（1–3 号楼）", "North zone (towers 1–3)"),
            ("B", "南片区（4–6 号楼）", "South zone (towers 4–6)"),
            ("P", "地下车库", "Underground car park")],
    "HQT": [("L", "大堂及公共区", "Lobby and common areas"),
            ("G", "地库", "Basement car park")],
}

# username, name, role, trade, supervisor username, site codes
USERS = [
    ("admin", "系统管理员", "admin", None, None, ["LHY", "HQT"]),
    ("manager1", "王经理", "manager", None, None, ["LHY", "HQT"]),
    ("super1", "李主管", "supervisor", "security", "manager1", ["LHY"]),
    ("super2", "陈主管", "supervisor", "cleaning", "manager1", ["LHY"]),
    ("super3", "周主管", "supervisor", "security", "manager1", ["HQT"]),
    ("service1", "刘客服", "service", "customer_service", "super1", ["LHY"]),
    ("guard1", "张伟", "guard", "security", "super1", ["LHY"]),
    ("guard3", "赵强", "guard", "security", "super1", ["LHY"]),
    ("guard2", "孙磊", "guard", "security", "super3", ["HQT"]),
    ("cleaner1", "吴芳", "cleaner", "cleaning", "super2", ["LHY"]),
    ("cleaner2", "郑丽", "cleaner", "cleaning", "super2", ["LHY"]),
    ("cleaner3", "何敏", "cleaner", "cleaning", "super3", ["HQT"]),
    ("tech1", "马建国", "technician", "engineering", "super1", ["LHY"]),
    ("tech2", "黄志明", "technician", "engineering", "super3", ["HQT"]),
    ("garden1", "林园", "technician", "landscaping", "super2", ["LHY"]),
]

# zone -> trade -> username (片区责任制)
RESPONSIBLE = {
    ("LHY", "A"): {"security": "guard1", "cleaning": "cleaner1", "engineering": "tech1",
                   "landscaping": "garden1", "customer_service": "service1"},
    ("LHY", "B"): {"security": "guard3", "cleaning": "cleaner2", "engineering": "tech1",
                   "landscaping": "garden1", "customer_service": "service1"},
    ("LHY", "P"): {"security": "guard3", "cleaning": "cleaner2", "engineering": "tech1",
                   "customer_service": "service1"},
    ("HQT", "L"): {"security": "guard2", "cleaning": "cleaner3", "engineering": "tech2"},
    ("HQT", "G"): {"security": "guard2", "cleaning": "cleaner3", "engineering": "tech2"},
}


def _checkpoints():
    """(site, zone, code, name, name_en, kind, checklist keys, lat, lon)"""
    cps = []
    base_lat, base_lon = 31.2200, 121.5440
    for t in (1, 2, 3, 4, 5, 6):
        zone = "A" if t <= 3 else "B"
        cps.append(("LHY", zone, f"LHY-T{t}-LOBBY", f"{t} 号楼大堂", f"Tower {t} lobby", "lobby",
                    ["lobby", "zone_cleaning"], base_lat + t * 0.0004, base_lon))
    for level in (1, 2):
        cps.append(("LHY", "P", f"LHY-B{level}-CP", f"地下车库 B{level} 层", f"Car park level B{level}",
                    "car_park", ["car_park", "zone_cleaning"], base_lat + 0.001, base_lon + 0.001))
        cps.append(("LHY", "P", f"LHY-B{level}-ENT", f"车库 B{level} 出入口", f"Car park B{level} entrance",
                    "car_park", ["car_park", "zone_cleaning"], base_lat + 0.0012, base_lon + 0.001))
    for n in range(1, 25):
        zone = "A" if n <= 12 else "B"
        cps.append(("LHY", zone, f"LHY-LAMP-{n:02d}", f"主干道路灯 {n:02d}", f"Main road lamp {n:02d}",
                    "road_lamp", ["road_lamps", "night_lighting"], base_lat + n * 0.0002, base_lon + 0.002))
    for n, (zone, nm, en) in enumerate([("A", "北区主干道", "North main road"), ("B", "南区主干道", "South main road"),
                                         ("A", "中心广场", "Central plaza"), ("B", "东侧消防通道", "East fire lane")], 1):
        cps.append(("LHY", zone, f"LHY-ROAD-{n:02d}", nm, en, "road", ["roads", "zone_cleaning"],
                    base_lat + n * 0.0005, base_lon + 0.003))
    for n in range(1, 13):
        zone = "A" if n <= 6 else "B"
        cps.append(("LHY", zone, f"LHY-DRAIN-{n:02d}", f"东路雨污水井盖 {n:02d}", f"East road drain cover {n:02d}",
                    "drain_cover", ["drain_covers"], base_lat + n * 0.0003, base_lon + 0.004))
    cps.append(("LHY", "A", "LHY-REPAIR-01", "2 号楼外墙维修点", "Tower 2 facade repair site", "repair_site",
                ["repair_site"], base_lat + 0.0008, base_lon + 0.0005))
    # office tower
    cps.append(("HQT", "L", "HQT-LOBBY", "华庆大厦一楼大堂", "Huaqing Tower ground-floor lobby", "lobby",
                ["lobby", "zone_cleaning"], 31.2290, 121.4550))
    cps.append(("HQT", "L", "HQT-F12-LOBBY", "12 层电梯厅", "Floor 12 lift lobby", "lobby", ["lobby", "zone_cleaning"],
                31.2290, 121.4551))
    cps.append(("HQT", "G", "HQT-B1-CP", "地库 B1 层", "Basement level B1", "car_park", ["car_park", "zone_cleaning"],
                31.2288, 121.4552))
    for n in range(1, 7):
        cps.append(("HQT", "L", f"HQT-LAMP-{n:02d}", f"广场地灯 {n:02d}", f"Plaza ground lamp {n:02d}", "road_lamp",
                    ["road_lamps", "night_lighting"], 31.2291, 121.4553 + n * 0.0001))
    cps.append(("HQT", "L", "HQT-DRAIN-01", "大厦门前井盖", "Front drain cover", "drain_cover", ["drain_covers"],
                31.2292, 121.4550))
    return cps


def run(ctx):
    echo = ctx["echo"]
    with write_tx():
        sites = {}
        for s in SITES:
            site, _ = Site.get_or_create(code=s["code"], defaults=s)
            sites[s["code"]] = site
        zones = {}
        for code, rows in ZONES.items():
            for zcode, name, name_en in rows:
                zone, _ = Zone.get_or_create(site=sites[code], code=zcode,
                                             defaults={"name": name, "name_en": name_en})
                zones[(code, zcode)] = zone
        users = {}
        pw_hash = hash_password(ctx["password"])
        for username, name, role, trade, sup, site_codes in USERS:
            user = User.get_or_none(User.username == username)
            if user is None:
                user = User.create(username=username, name=name, role=role, trade=trade, password_hash=pw_hash,
                                   phone=f"1380013{len(users):04d}")
            else:
                user.password_hash = pw_hash
                user.save()
            users[username] = user
            for code in site_codes:
                UserSite.get_or_create(user=user, site=sites[code])
        for username, _n, _r, _t, sup, _s in USERS:
            if sup and users[username].supervisor_id != users[sup].id:
                users[username].supervisor = users[sup]
                users[username].save()
        for (scode, zcode), trades in RESPONSIBLE.items():
            for trade, username in trades.items():
                ZoneResponsible.get_or_create(zone=zones[(scode, zcode)], trade=trade,
                                              defaults={"user": users[username]})
        for i, (scode, zcode, code, name, name_en, kind, keys, lat, lon) in enumerate(_checkpoints()):
            Checkpoint.get_or_create(code=code, defaults=dict(
                site=sites[scode], zone=zones[(scode, zcode)], name=name, name_en=name_en, kind=kind,
                checklist_keys=keys, lat=round(lat, 6), lon=round(lon, 6), sort_order=i))
    ctx.update(sites=sites, zones=zones, users=users)
    echo(f"demo: {len(sites)} sites, {len(zones)} zones, {len(users)} users, "
         f"{Checkpoint.select().count()} checkpoints")
