"""extract_registration: waybills, orders, phones, shipping date, goods and quantity."""

from __future__ import annotations

import time
from datetime import date

import pytest

from complaintd.classify import Registration, extract_registration

REFERENCE = date(2026, 11, 10)


def extract(text: str, reference: date = REFERENCE) -> Registration:
    """Extract from a body with an empty subject."""
    return extract_registration("", text, reference)


WAYBILL_CASES = [
    pytest.param("顺丰单号SF1234567890123，货物破损", ("SF1234567890123",), id="sf-13"),
    pytest.param("sf123456789012 已延误", ("SF123456789012",), id="sf-12-lowercase"),
    pytest.param("京东快递 JDVA12345678901 还没到", ("JDVA12345678901",), id="jd-va"),
    pytest.param("JDX000123456789 破损", ("JDX000123456789",), id="jd-x"),
    pytest.param("圆通 YT1234567890123", ("YT1234567890123",), id="yto"),
    pytest.param("极兔 JT1234567890123", ("JT1234567890123",), id="jt"),
    pytest.param("EMS单号 EA123456789CN", ("EA123456789CN",), id="ems"),
    pytest.param(
        "Registered mail RR123456785CN and LX123456789DE",
        ("RR123456785CN", "LX123456789DE"),
        id="upu-s10",
    ),
    pytest.param("UPS 1Z999AA10123456784", ("1Z999AA10123456784",), id="ups"),
    pytest.param("DHL waybill 1234567890 delayed", ("1234567890",), id="dhl-10-digits"),
    pytest.param("中通快递单号：75312345678901", ("75312345678901",), id="zto-labelled"),
    pytest.param("韵达 432112345678901 丢件", ("432112345678901",), id="carrier-name-label"),
    pytest.param("運單號：432112345678901", ("432112345678901",), id="traditional-label"),
    pytest.param(
        "运单号：75312345678901、75312345678902和75312345678903",
        ("75312345678901", "75312345678902", "75312345678903"),
        id="labelled-list",
    ),
    pytest.param(
        "Tracking number: 432112345678901", ("432112345678901",), id="tracking-number-label"
    ),
    pytest.param("waybill no. 123456789012", ("123456789012",), id="waybill-no-label"),
    pytest.param("AWB# 123456789012", ("123456789012",), id="awb-label"),
    pytest.param(
        "tracking numbers are 123456789012, 123456789013",
        ("123456789012", "123456789013"),
        id="english-list",
    ),
    pytest.param(
        "运单号：７５３１２３４５６７８９０１", ("75312345678901",), id="fullwidth-digits"
    ),
    pytest.param("SF1234567890123 again: SF1234567890123", ("SF1234567890123",), id="deduplicated"),
    pytest.param("请尽快处理 75312345678901", (), id="unlabelled-number-ignored"),
    pytest.param("运单号 13812345678", (), id="mobile-is-not-waybill"),
    pytest.param("运单号：8613812345678", (), id="86-mobile-is-not-waybill"),
    pytest.param("发货日期 2026-11-02 运单号未知", (), id="date-is-not-waybill"),
    pytest.param("订单号：123456789012", (), id="order-label-is-not-waybill-label"),
    pytest.param("账单号：123456789012", (), id="bill-number-is-not-waybill"),
    pytest.param("运单号的运费 1234567.00 元", (), id="price-is-not-waybill"),
    pytest.param("时间戳 20261102123045", (), id="timestamp-unlabelled"),
]


@pytest.mark.parametrize(("text", "waybills"), WAYBILL_CASES)
def test_waybills(text: str, waybills: tuple[str, ...]) -> None:
    """Carrier formats are found; phones, dates, prices and unlabelled numbers are not."""
    assert extract(text).waybills == waybills


ORDER_CASES = [
    pytest.param("订单号：DD20261102001", ("DD20261102001",), id="zh-labelled"),
    pytest.param("訂單號：TW-778899", ("TW-778899",), id="zh-hant-labelled"),
    pytest.param("Order number: A12345", ("A12345",), id="en-order-number"),
    pytest.param("order #12345, again order # 12345", ("12345",), id="deduplicated"),
    pytest.param("Re PO-2026-0012 delivery", ("PO-2026-0012",), id="po-dash-form"),
    pytest.param("PO: 4500012345", ("4500012345",), id="po-labelled"),
    pytest.param("订单号 PO-2026-0012", ("PO-2026-0012",), id="zh-label-po-form"),
    pytest.param("in order to ship 20 boxes", (), id="in-order-to"),
    pytest.param("订单2026年11月下的", (), id="year-is-not-order"),
    pytest.param("订单 5000元", (), id="money-is-not-order"),
    pytest.param("PO Box 1234", (), id="po-box"),
]


@pytest.mark.parametrize(("text", "orders"), ORDER_CASES)
def test_order_numbers(text: str, orders: tuple[str, ...]) -> None:
    """Labelled and PO-style order ids are found; years, money and prose are not."""
    assert extract(text).order_numbers == orders


PHONE_CASES = [
    pytest.param("联系电话：138-1234-5678", ("13812345678",), id="mobile-dashed"),
    pytest.param("call +86 139 1234 5678", ("13912345678",), id="mobile-country-code"),
    pytest.param("手机13812345678，谢谢", ("13812345678",), id="mobile-in-chinese"),
    pytest.param("(021)12345678 转 123", ("021-12345678-123",), id="landline-extension"),
    pytest.param("座机 0571-88886666", ("0571-88886666",), id="landline"),
    pytest.param("运单号 75312345678901", (), id="waybill-is-not-phone"),
    pytest.param("日期 2026-11-02", (), id="date-is-not-phone"),
    pytest.param("编号 12345678901", (), id="not-a-mobile-prefix"),
    pytest.param("SF13812345678", (), id="letters-before"),
]


@pytest.mark.parametrize(("text", "phones"), PHONE_CASES)
def test_phones(text: str, phones: tuple[str, ...]) -> None:
    """Mobiles are normalised to 11 digits, landlines to area-local[-ext]."""
    assert extract(text).phones == phones


DATE_CASES = [
    pytest.param("发货日期：2026-11-02", REFERENCE, date(2026, 11, 2), id="iso"),
    pytest.param("发货时间：2026/11/2", REFERENCE, date(2026, 11, 2), id="slashes"),
    pytest.param("寄件日期 2026年11月2日", REFERENCE, date(2026, 11, 2), id="zh-ymd"),
    pytest.param("发货日期：11月2日", REFERENCE, date(2026, 11, 2), id="zh-md-this-year"),
    pytest.param("12月30日寄出的", date(2027, 1, 3), date(2026, 12, 30), id="zh-md-year-before"),
    pytest.param("我11月2日发的货，还没到", REFERENCE, date(2026, 11, 2), id="zh-verb-after"),
    pytest.param("發貨日期：2026年11月2號", REFERENCE, date(2026, 11, 2), id="zh-hant"),
    pytest.param("发货日期：昨天", REFERENCE, date(2026, 11, 9), id="zh-yesterday"),
    pytest.param("Shipped on Nov 2, 2026", REFERENCE, date(2026, 11, 2), id="en-mdy"),
    pytest.param("Shipping date: 2 November 2026", REFERENCE, date(2026, 11, 2), id="en-dmy"),
    pytest.param("dispatched on 2nd Nov", REFERENCE, date(2026, 11, 2), id="en-no-year"),
    pytest.param("We shipped it yesterday.", REFERENCE, date(2026, 11, 9), id="en-yesterday"),
    pytest.param(
        "Order date: 2026-11-01, shipped on 2026-11-03",
        REFERENCE,
        date(2026, 11, 3),
        id="other-dates-skipped",
    ),
    pytest.param("11月5日还没到", REFERENCE, None, id="unlabelled-date"),
    pytest.param("下单日期：2026-11-01", REFERENCE, None, id="order-date-is-not-shipping"),
    pytest.param("发货日期：2026-13-45", REFERENCE, None, id="impossible-date"),
    pytest.param("shipped on 11/2/2026", REFERENCE, None, id="ambiguous-numeric"),
    pytest.param(
        "shipped on aprıl 2, 2026", REFERENCE, None, id="dotless-i-is-not-a-month-no-crash"
    ),
    pytest.param("发货日期：2月29日", date(2026, 3, 1), date(2024, 2, 29), id="leap-day"),
]


@pytest.mark.parametrize(("text", "reference", "expected"), DATE_CASES)
def test_shipping_date(text: str, reference: date, expected: date | None) -> None:
    """Only a labelled shipping date counts; a missing year is inferred."""
    assert extract(text, reference).shipping_date == expected


GOODS_CASES = [
    pytest.param("货物：瓷砖，数量：3箱", "瓷砖", "3箱", id="zh-labelled"),
    pytest.param("品名：LED灯管 数量：20件", "LED灯管", "20件", id="zh-same-line"),
    pytest.param("貨物：茶葉；數量：5 箱", "茶葉", "5箱", id="zh-hant-labelled"),
    pytest.param(
        "Goods: ceramic tiles; Quantity: 3 boxes", "ceramic tiles", "3 boxes", id="en-labelled"
    ),
    pytest.param(
        "3 cartons of ceramic tiles arrived broken.",
        "ceramic tiles",
        "3 cartons",
        id="en-quantity-of-goods",
    ),
    pytest.param("我寄了5台空调，全部损坏", "空调", "5台", id="zh-quantity-goods"),
    pytest.param("共5件，全部破损", None, "5件", id="zh-total"),
    pytest.param("qty: 40 PCS", None, "40 pcs", id="en-qty"),
    pytest.param("货物破损严重，商品：", None, None, id="no-colon-no-goods"),
]


@pytest.mark.parametrize(("text", "goods", "quantity"), GOODS_CASES)
def test_goods_and_quantity(text: str, goods: str | None, quantity: str | None) -> None:
    """Goods and quantity from labels first, then from common phrasing."""
    registration = extract(text)
    assert (registration.goods, registration.quantity) == (goods, quantity)


def test_realistic_complaint() -> None:
    """A whole Chinese complaint yields every registration field."""
    subject = "投诉：运单SF1234567890123货物破损"
    body = (
        "您好：\n"
        "我司11月2日发货，订单号：DD20261102001，货物：瓷砖，数量：3箱。\n"
        "另一票运单号：75312345678901 也有破损。\n"
        "联系人：王先生 138-1234-5678"
    )
    assert extract_registration(subject, body, REFERENCE) == Registration(
        waybills=("SF1234567890123", "75312345678901"),
        order_numbers=("DD20261102001",),
        shipping_date=date(2026, 11, 2),
        goods="瓷砖",
        quantity="3箱",
        phones=("13812345678",),
    )


def test_subject_is_searched_too() -> None:
    """Ids in the subject line are registered."""
    registration = extract_registration("Re: EA123456789CN", "", REFERENCE)
    assert registration.waybills == ("EA123456789CN",)


def test_extract_is_fast_on_20kb() -> None:
    """Extraction stays fast on a large body with long digit runs."""
    body = ("货物破损 SF1234567890123 运单号：75312345678901 电话13812345678 " * 400)[:20_000]
    started = time.perf_counter()
    extract(body + "1" * 20_000)
    assert (
        time.perf_counter() - started < 5.0
    )  # a guard against super-linear regex time, not a benchmark
