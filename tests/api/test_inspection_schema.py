"""The submission's results load the same through the fast path as through one schema per result."""
import pytest
from hypothesis import given, settings, strategies as st
from marshmallow import ValidationError, fields

from api.resources.inspections.schemas import ResultIn, ResultList, ResultListOut, ResultOut

PHOTO = "ab" * 32

# one schema load per result: what ResultList must always agree with
REFERENCE = fields.List(fields.Nested(ResultIn))
FAST = ResultList()


def load(field, value):
    try:
        return "ok", field.deserialize(value)
    except ValidationError as exc:
        return "error", exc.messages


@pytest.mark.parametrize("results", [
    [{"item_key": "lamp_lit", "status": "pass"}],
    [{"item_key": "lamp_lit", "status": "fail", "note": "灯不亮", "photo_ids": [PHOTO, PHOTO.upper()]}],
    [{"item_key": "a", "status": "na", "note": "", "photo_ids": []}, {"item_key": "b", "status": "pass"}],
    [{"item_key": "lamp_lit", "status": "broken"}],
    [{"item_key": "", "status": "pass"}],
    [{"item_key": "x" * 65, "status": "pass"}],
    [{"item_key": "lamp_lit", "status": "pass", "note": None}],
    [{"item_key": "lamp_lit", "status": "pass", "note": "a\x00b"}],
    [{"item_key": "lamp_lit", "status": "pass", "photo_ids": ["not-a-photo"]}],
    [{"item_key": "lamp_lit", "status": "pass", "photo_ids": [PHOTO + "\n"]}],
    [{"item_key": "lamp_lit", "status": "pass", "photo_ids": [PHOTO] * 21}],
    [{"item_key": "lamp_lit", "status": "pass", "photo_ids": PHOTO}],
    [{"item_key": "lamp_lit", "status": "pass", "surprise": 1}],
    [{"status": "pass"}],
    [{"item_key": 7, "status": "pass"}],
    ["lamp_lit"],
    "lamp_lit",
    {"item_key": "lamp_lit", "status": "pass"},
])
def test_results_load_as_one_schema_per_result_would(results):
    assert load(FAST, results) == load(REFERENCE, results)


values = st.one_of(st.none(), st.integers(), st.text(max_size=70), st.sampled_from(["pass", "fail", "na", "", "\x00"]),
                   st.lists(st.one_of(st.just(PHOTO), st.text(max_size=66), st.integers()), max_size=22))
result = st.dictionaries(st.sampled_from(["item_key", "status", "note", "photo_ids", "other"]), values)


@settings(max_examples=300, deadline=None)
@given(st.lists(result, max_size=4))
def test_any_results_load_as_one_schema_per_result_would(results):
    assert load(FAST, results) == load(REFERENCE, results)


REFERENCE_OUT = fields.List(fields.Nested(ResultOut))
FAST_OUT = ResultListOut()


@pytest.mark.parametrize("results", [
    [],
    [{"item_key": "lamp_lit", "status": "pass", "note": "", "photo_ids": []}],
    [{"item_key": "lamp_lit", "status": "fail", "note": "灯不亮", "photo_ids": [PHOTO, PHOTO]},
     {"item_key": "clean", "status": "na", "note": "x", "photo_ids": []}],
    [{"item_key": "lamp_lit", "status": "pass"}],
    [{"item_key": 7, "status": "pass", "note": None, "photo_ids": [1]}],
    [{"item_key": "lamp_lit", "status": "pass", "note": "", "photo_ids": [], "extra": 1}],
    [{"item_key": "lamp_lit", "status": "pass", "note": "", "photo_ids": ("a",)}],
])
def test_results_dump_as_one_schema_per_result_would(results):
    fast, reference = FAST_OUT.serialize("r", {"r": results}), REFERENCE_OUT.serialize("r", {"r": results})
    assert fast == reference
    assert [list(r) for r in fast] == [list(r) for r in reference]  # same key order in the JSON
