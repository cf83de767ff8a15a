"""The route of a complaint: where the shipment came from and went to (pure).

Complaints say it in many ways - "从上海发往成都的货", "深圳→北京", "发货地：广州市，
收货地址：浙江省杭州市西湖区…", "寄往武汉", "the goods from Shanghai" is not covered (place
names are Chinese).  Each place named is found by its full or short name (广东省 / 广东,
深圳市 / 深圳) with :data:`~complaintd.classify.place_names.CITIES` and ``PROVINCES``;
a word before it says which end it is (从/由/发货/寄件 ... , 发往/到/至/收货 ...); two
places with no such words are taken as origin, then destination.  A city gives its
province; a province alone leaves the city unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from complaintd.classify.place_names import CITIES, PROVINCES

SCAN_CHARS = 4000  # the route is said early; quoted history further down is not read
_ORIGIN = re.compile(
    r"(?:从|由|自|始发(?:地|站)?|发货(?:地|地址|城市)?|寄件(?:地|地址|人地址)?|起运(?:地|港)?|出发地?)[：:\s]*$"
)
_DESTINATION = re.compile(
    r"(?:发往|运往|寄往|送往|寄到|运到|送到|发到|到达|到|至|去|→|->|—|目的地"
    r"|收货(?:地|地址|城市)?|收件(?:地|地址|人地址)?|派送(?:到|至)?)[：:\s]*$"
)
_LOOK_BEHIND = 8  # characters before a place name searched for a marker


@dataclass(frozen=True)
class Place:
    """A province (full name) and, when known, a city in it (full name)."""

    province: str
    city: str | None = None


@dataclass(frozen=True)
class Route:
    """Where a shipment came from and went to; either may be unknown."""

    origin: Place | None = None
    destination: Place | None = None


@cache
def _names() -> tuple[re.Pattern[str], dict[str, Place]]:
    """One pattern of every name, longest first, and the place each name means."""
    places: dict[str, Place] = {}
    for city, (province, short) in CITIES.items():
        places[city] = Place(province, city)
        places.setdefault(short, Place(province, city))
    for province, short in PROVINCES.items():
        municipality = CITIES.get(province)  # 北京市, 上海市 ... are a province and a city
        place = Place(province, province if municipality else None)
        places[province] = place
        places[short] = place  # 海南 is the province, not Qinghai's 海南州; 吉林 the province
    names = sorted(places, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names))), places


def find_route(text: str) -> Route:
    """The route ``text`` names; ``Route()`` when it names none."""
    pattern, places = _names()
    head = text[:SCAN_CHARS]
    found: dict[str, Place] = {}  # "origin", "destination"
    unmarked: list[Place] = []
    slot, end = "", -1  # where the last place went, and where its name ended
    for match in pattern.finditer(head):
        place = places[match.group()]
        if match.start() == end and slot:  # 浙江省杭州市: the city narrows the province
            narrowed = _narrower(found[slot] if slot in found else unmarked[-1], place)
            if narrowed is not None:
                if slot in found:
                    found[slot] = narrowed
                else:
                    unmarked[-1] = narrowed
                end = match.end()
                continue
        before = head[max(0, match.start() - _LOOK_BEHIND) : match.start()]
        if _DESTINATION.search(before) and "destination" not in found:
            slot = "destination"
            found[slot] = place
        elif _ORIGIN.search(before) and "origin" not in found:
            slot = "origin"
            found[slot] = place
        else:
            slot = "unmarked"
            unmarked.append(place)
        end = match.end()
    origin, destination = found.get("origin"), found.get("destination")
    others = [p for p in unmarked if p not in (origin, destination)]
    if origin is None and destination is None and len(others) >= 2:
        return Route(others[0], others[1])
    if origin is None and destination is not None and others:
        origin = others[0]
    return Route(origin, destination)


def _narrower(first: Place, second: Place) -> Place | None:
    """A province followed by one of its cities is that city, not two places."""
    if first.city is None and second.province == first.province and second.city:
        return second
    return None


def route_columns(route: Route) -> dict[str, str | None]:
    """The route as the ticket's columns (``origin_province`` ... ``destination_city``)."""
    origin, destination = route.origin, route.destination
    return {
        "origin_province": origin.province if origin else None,
        "origin_city": origin.city if origin else None,
        "destination_province": destination.province if destination else None,
        "destination_city": destination.city if destination else None,
    }
