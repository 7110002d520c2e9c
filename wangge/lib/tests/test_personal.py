import datetime as dt

import pytest

from wangge.lib import crypto
from wangge.lib.idcard import birth_date_of, gender_of, id_number_error, make_id_number, phone_error
from wangge.lib.masking import mask_id_number, mask_phone

KEY = "d2FuZ2dlLXRlc3Qta2V5LTMyYnl0ZXMtbG9uZyEhISE="


def test_masks_follow_the_product_format() -> None:
    assert mask_id_number("210104198001011234") == "2101**********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


def test_id_numbers_are_checked_and_built_valid() -> None:
    number = make_id_number("210104", dt.date(1980, 1, 1), 123)
    assert id_number_error(number) is None
    assert birth_date_of(number) == dt.date(1980, 1, 1)
    assert gender_of(number) == "M"
    wrong_check = number[:17] + ("0" if number[17] != "0" else "1")
    assert id_number_error(wrong_check) == "身份证号校验位不正确"
    assert id_number_error("21010419801301123X") == "身份证号中的出生日期无效"
    assert "18位" in (id_number_error("12345") or "")


@pytest.mark.parametrize("phone,ok", [("13812345678", True), ("024-88881234", True), ("12345", False)])
def test_phone_check(phone: str, ok: bool) -> None:
    assert (phone_error(phone) is None) is ok


def test_encryption_round_trip_and_blind_index() -> None:
    token = crypto.encrypt("13812345678", key=KEY)
    assert "13812345678" not in token
    assert crypto.decrypt(token, key=KEY) == "13812345678"
    assert crypto.encrypt("13812345678", key=KEY) != token  # fresh IV each time
    assert crypto.blind_index("13812345678", key=KEY) == crypto.blind_index("13812345678", key=KEY)
    other = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    with pytest.raises(ValueError, match="WANGGE_FIELD_KEY"):
        crypto.decrypt(token, key=other)
