"""The one scrubber for text that reaches field staff: every common way of writing a Chinese phone
number is hidden, names of the owner become 业主, and ordinary text (dates, rooms, money) stays.

Seed 003 投诉处理: the owner is called back by the customer-service centre (回访由客服中心负责), so
the department never needs the owner's name or number."""
import pytest

from api.domain.privacy import digits_of, hide_numbers, scrub

PHONES = [
    "13912345601",
    "139 1234 5601",
    "139-1234-5601",
    "139.1234.5601",
    "139/1234/5601",
    "139／1234／5601",
    "139·1234·5601",
    "１３９１２３４５６０１",
    "１３９－１２３４－５６０１",
    "+86 139 1234 5601",
    "+86-13912345601",
    "＋８６ １３９１２３４５６０１",
    "0086 139 1234 5601",
    "0086-13912345601",
    "(86)13912345601",
    "（+86）139-1234-5601",
    "86-139-1234-5601",
    "021-61234567",
    "021-6123 4567",
    "(021) 6123 4567",
    "（021）61234567",
    "0755-88886666",
    "0755－8888 6666",
    "+86 21 6123 4567",
    "+86(0)21 6123-4567",
    "61234567",
    "6123-4567",
    "一三九一二三四五六〇一",
    "幺三九 1234 5601".replace("幺", "1"),
    "139 - 1234 - 5601",
]


@pytest.mark.parametrize("written", PHONES)
def test_a_phone_number_is_hidden_however_it_is_written(written):
    text = scrub(f"业主来电 {written}，请尽快处理")
    assert digits_of(written)[-4:] not in digits_of(text), text
    assert text.startswith("业主来电") and text.endswith("请尽快处理")


@pytest.mark.parametrize("text", [
    "2026-03-10 09:00 来电",
    "2026.3.10 已上门",
    "2026/03/10",
    "3栋2单元1201 厨房漏水",
    "1号楼 2单元 1201室",
    "更换灯管 2 支，费用 120 元",
    "B2-035 车位",
    "09:30 到 11:45 停水",
])
def test_ordinary_text_is_left_as_it_is(text):
    assert scrub(text) == text


@pytest.mark.parametrize("text,name,expected", [
    ("张三丰反映漏水", "张三丰", "业主反映漏水"),
    ("张先生说楼上漏水", "张三丰", "业主说楼上漏水"),
    ("联系李女士 139.1234.5601", "李娜", "联系业主 ***"),
    ("王经理已知悉", "张三丰", "王经理已知悉"),
])
def test_the_owners_name_becomes_owner(text, name, expected):
    assert scrub(text, [name]) == expected


def test_a_number_of_seven_digits_or_more_inside_other_text_is_hidden():
    assert hide_numbers("订单号2026031012345请核对") == "订单号***请核对"
    assert hide_numbers("分机 8021") == "分机 8021"  # four digits: not a phone


def test_empty_text_stays_empty():
    assert scrub(None) == "" and scrub("") == ""
