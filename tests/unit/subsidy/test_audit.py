import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.subsidy.domain.audit import (
    GENESIS_HASH,
    AuditRecord,
    canonical_json,
    chain_record,
    json_text,
    record_hash,
    record_hash_of_texts,
    verify_chain,
)


def _chain(n: int = 5) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    for i in range(n):
        fields = {
            "actor": "finance-wang",
            "at": datetime(2026, 5, 1, 9, i, tzinfo=UTC),
            "entity": "claim",
            "entity_id": f"C{i}",
            "action": "approve",
            "before": {"status": "pending", "amount": Decimal("2000.00")},
            "after": {"status": "approved", "amount": Decimal("2000.00")},
            "reason": None,
        }
        records.append(chain_record(id=f"A{i}", fields=fields, prev=records[-1] if records else None))
    return records


def test_an_untouched_chain_verifies() -> None:
    records = _chain()
    assert records[0].prev_hash == GENESIS_HASH
    assert verify_chain(records) is None
    assert verify_chain([]) is None


def test_an_edited_record_is_named_as_the_first_tampered_one() -> None:
    records = _chain()
    after = dict(records[2].fields["after"])
    after["amount"] = Decimal("20000.00")
    records[2] = replace(records[2], fields={**records[2].fields, "after": after})
    assert verify_chain(records) == "A2"


def test_an_edit_with_a_recomputed_hash_is_caught_at_the_next_record() -> None:
    records = _chain()
    fields = {**records[2].fields, "actor": "someone-else"}
    records[2] = replace(records[2], fields=fields, hash=record_hash(records[2].prev_hash, fields))
    assert verify_chain(records) == "A3"


def test_a_deleted_record_breaks_the_chain_at_the_one_after_it() -> None:
    records = _chain()
    del records[1]
    assert verify_chain(records) == "A2"


def test_reordered_records_break_the_chain() -> None:
    records = _chain()
    records[1], records[2] = records[2], records[1]
    assert verify_chain(records) == "A2"


def test_the_same_money_hashes_the_same_whatever_its_scale() -> None:
    assert record_hash(GENESIS_HASH, {"amount": Decimal("1.5")}) == record_hash(
        GENESIS_HASH, {"amount": Decimal("1.50")}
    )
    assert record_hash(GENESIS_HASH, {"amount": Decimal("100")}) == record_hash(
        GENESIS_HASH, {"amount": Decimal("1E+2")}
    )
    assert record_hash(GENESIS_HASH, {"amount": Decimal("1.50")}) != record_hash(
        GENESIS_HASH, {"amount": Decimal("1.51")}
    )


def test_the_same_instant_in_another_time_zone_hashes_the_same() -> None:
    utc = datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
    beijing = utc.astimezone(timezone(timedelta(hours=8)))
    assert record_hash(GENESIS_HASH, {"at": utc}) == record_hash(GENESIS_HASH, {"at": beijing})


def test_the_canonical_json_sorts_keys_and_spells_decimals_and_dates_plainly() -> None:
    text = canonical_json({"b": Decimal("2000.00"), "a": date(2026, 5, 1), "名": "王律师"})
    assert text == '{"a":"2026-05-01","b":"2000","名":"王律师"}'


def test_the_hash_depends_on_the_previous_hash() -> None:
    assert record_hash(GENESIS_HASH, {"x": 1}) != record_hash("1" * 64, {"x": 1})


def test_a_float_in_an_audit_record_is_refused() -> None:
    with pytest.raises(ValueError, match="float"):
        record_hash(GENESIS_HASH, {"amount": 1.5})


def test_enum_members_and_nested_mappings_hash_as_their_plain_values() -> None:
    from enum import IntEnum, StrEnum

    from services.subsidy.domain.audit import canonical_json

    class Status(StrEnum):
        PENDING = "pending"

    class Level(IntEnum):
        TWO = 2

    spelled = canonical_json({"s": Status.PENDING, "n": Level.TWO, "m": {"k": (1, True, None)}, 3: "x"})
    assert spelled == '{"3":"x","m":{"k":[1,true,null]},"n":2,"s":"pending"}'


_JSON_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)  # control characters, quotes, 汉字
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(
    seq=st.integers(min_value=1, max_value=10**12),
    at=st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))])),
    actor=_JSON_TEXT,
    entity_id=_JSON_TEXT,
    reason=st.none() | _JSON_TEXT,
    before=st.none() | st.dictionaries(_JSON_TEXT, _JSON_VALUES, max_size=5),
    after=st.none() | st.dictionaries(_JSON_TEXT, _JSON_VALUES, max_size=5),
)
def test_a_record_hashed_from_its_stored_texts_has_the_digest_the_verifier_computes(
    seq: int, at: datetime, actor: str, entity_id: str, reason: str | None, before: Any, after: Any
) -> None:
    fields = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": "claim.created",
        "entity": "claim",
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "reason": reason,
    }
    texts = {k: None if fields[k] is None else json_text(fields[k]) for k in ("before", "after")}
    assert record_hash_of_texts(GENESIS_HASH, **{**fields, **texts}) == record_hash(GENESIS_HASH, fields)
    for key in ("before", "after"):  # and the stored text reads back as the value hashed
        assert texts[key] is None or json.loads(texts[key]) == fields[key]
