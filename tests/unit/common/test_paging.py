"""A list answers one page and the count of everything its filters select."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select
from sqlalchemy.orm import Session

from services.common.paging import page, where_given

metadata = MetaData()
claims = Table(
    "claims",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("status", String(10)),
    Column("kind", String(10)),
)


def test_a_filter_left_out_selects_everything_and_a_given_one_narrows_the_count_and_the_page() -> None:
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        session.execute(
            claims.insert(),
            [{"id": i, "status": "paid" if i % 3 == 0 else "pending", "kind": "duty"} for i in range(1, 11)],
        )
        everything = where_given(select(claims), (claims.c.status, None), (claims.c.kind, "duty"))
        paid = where_given(select(claims), (claims.c.status, "paid"), (claims.c.kind, None))

        first = page(session, everything, order_by=(claims.c.id.desc(),), limit=4, offset=0, scalars=False)
        assert first["total"] == 10
        assert [r.id for r in first["items"]] == [10, 9, 8, 7]
        second = page(
            session, paid, order_by=(claims.c.id,), limit=2, offset=1, view=lambda r: r.id, scalars=False
        )
        assert second == {"items": [6, 9], "total": 3}
