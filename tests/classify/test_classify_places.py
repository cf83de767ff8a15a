"""The route of a shipment as complaints name it."""

from __future__ import annotations

import pytest

from complaintd.classify.places import Place, Route, find_route

SHANGHAI = Place("上海市", "上海市")
CHENGDU = Place("四川省", "成都市")


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("从上海发往成都的货物外箱破损", Route(SHANGHAI, CHENGDU)),
        (
            "深圳→北京 运单号 SF1234567800001",
            Route(Place("广东省", "深圳市"), Place("北京市", "北京市")),
        ),
        (
            "发货地：广州市，收货地址：浙江省杭州市西湖区文三路 90 号",
            Route(Place("广东省", "广州市"), Place("浙江省", "杭州市")),
        ),
        (
            "我寄往武汉的包裹丢了，从长沙寄出的",
            Route(Place("湖南省", "长沙市"), Place("湖北省", "武汉市")),
        ),
        ("运单 YT123 上海到广东东莞，延误三天", Route(SHANGHAI, Place("广东省", "东莞市"))),
        (
            "这票货从吉林省长春市发出，目的地黑龙江哈尔滨",
            Route(Place("吉林省", "长春市"), Place("黑龙江省", "哈尔滨市")),
        ),
        ("收货地址：海南省海口市", Route(None, Place("海南省", "海口市"))),
        ("发往四川的货", Route(None, Place("四川省", None))),
        ("货物在杭州仓库压坏了", Route()),  # one place, no direction: not a route
        ("The goods from Shanghai arrived broken.", Route()),
    ],
)
def test_routes(text: str, route: Route) -> None:
    assert find_route(text) == route
