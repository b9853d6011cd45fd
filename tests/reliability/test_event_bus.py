"""The event bus keeps its promises on both transports: nothing lost, nothing applied twice."""

from __future__ import annotations

import json
import multiprocessing
import os
import uuid

from sqlalchemy import func, select

from services.common.db import UnitOfWork
from services.common.deadletters import list_dead_letters, replay
from services.common.events import make_envelope
from services.common.publisher import Outgoing
from tests.buskit import Bus, Running, lawyer_data, wait_for


def outbox_rows(bus: Bus) -> list:
    outbox = bus.tables.outbox
    with bus.session_factory() as session:
        return session.execute(select(outbox)).all()


def test_an_outbox_row_exists_only_when_the_state_change_commits(bus: Bus) -> None:
    with UnitOfWork(bus.session_factory, producer="test") as uow:
        uow.session.execute(bus.effects.insert().values(event_id="x", note="rolled back"))
        uow.emit("roster.lawyer.upserted", lawyer_data())
        uow.rollback()
    with UnitOfWork(bus.session_factory, producer="test") as uow:
        uow.session.execute(bus.effects.insert().values(event_id="y", note="abandoned"))
        uow.emit("roster.lawyer.upserted", lawyer_data())
        # leaving the block without commit rolls back
    assert outbox_rows(bus) == []
    assert bus.effects_count() == 0
    with UnitOfWork(bus.session_factory, producer="test") as uow:
        uow.session.execute(bus.effects.insert().values(event_id="z", note="kept"))
        event_id = uow.emit("roster.lawyer.upserted", lawyer_data())
        uow.commit()
    rows = outbox_rows(bus)
    assert [r.event_id for r in rows] == [event_id]
    assert bus.effects_count() == 1


def test_an_event_written_through_the_outbox_reaches_its_consumer(bus: Bus) -> None:
    ids = bus.emit(5)
    relay = bus.relay()
    assert relay.run_once() == 5
    assert all(r.published_at is not None for r in outbox_rows(bus))
    consumer = bus.consumer(bus.record_effect)
    with Running(consumer.run):
        wait_for(lambda: bus.effects_count() == 5, what="5 effects")
    assert sorted(ids) == sorted(e for e in ids if bus.effects_count(e) == 1)


def test_the_same_event_delivered_twice_has_one_effect(bus: Bus) -> None:
    envelope = make_envelope("roster.lawyer.upserted", lawyer_data(), producer="test")
    body = json.dumps(envelope).encode()
    publisher = bus.publisher()
    for _ in range(2):
        result = publisher.publish([Outgoing(envelope["id"], "roster.lawyer.upserted", body, {})])
        assert result.confirmed == [envelope["id"]]
    publisher.close()
    consumer = bus.consumer(bus.record_effect)
    with Running(consumer.run):
        wait_for(lambda: consumer.stats.duplicates == 1, what="the duplicate to be seen")
    assert bus.effects_count(envelope["id"]) == 1
    assert consumer.stats.processed == 1


def test_a_handler_that_keeps_failing_lands_in_the_dead_letter_queue_and_a_replay_reprocesses_it(
    bus: Bus,
) -> None:
    healthy = {"yes": False}
    calls: list[str] = []

    def handler(session, envelope, data):
        calls.append(envelope["id"])
        if not healthy["yes"]:
            raise RuntimeError("the lawyer directory is broken")
        bus.record_effect(session, envelope, data)

    [event_id] = bus.emit(1)
    bus.relay().run_once()
    consumer = bus.consumer(handler)
    with Running(consumer.run):
        wait_for(lambda: consumer.stats.dead_lettered == 1, what="the dead letter")
    assert calls == [event_id] * bus.max_deliveries
    letters = list_dead_letters(bus.connection(), bus.queue, bus.topology, bus.max_deliveries)
    assert [letter["event_id"] for letter in letters] == [event_id]
    assert "the lawyer directory is broken" in letters[0]["error"]
    assert bus.effects_count() == 0

    healthy["yes"] = True
    assert replay(bus.connection(), bus.queue, None, bus.topology, bus.max_deliveries) == 1
    with Running(consumer.run):
        wait_for(lambda: bus.effects_count(event_id) == 1, what="the replayed event's effect")
    assert list_dead_letters(bus.connection(), bus.queue, bus.topology, bus.max_deliveries) == []


def test_a_poison_message_is_dead_lettered_after_exactly_the_configured_deliveries_while_others_flow(
    bus: Bus,
) -> None:
    poison_name = "poison"
    deliveries: dict[str, int] = {}

    def handler(session, envelope, data):
        deliveries[data["name"]] = deliveries.get(data["name"], 0) + 1
        if data["name"] == poison_name:
            raise ValueError("cannot handle this lawyer")
        bus.record_effect(session, envelope, data)

    with UnitOfWork(bus.session_factory, producer="test") as uow:
        for name in ("before-1", "before-2", poison_name, "after-1", "after-2"):
            uow.emit("roster.lawyer.upserted", lawyer_data(name))
        uow.commit()
    bus.relay().run_once()
    consumer = bus.consumer(handler)
    with Running(consumer.run):
        wait_for(
            lambda: consumer.stats.dead_lettered == 1 and bus.effects_count() == 4, what="4 effects + 1 DLQ"
        )
    assert deliveries[poison_name] == bus.max_deliveries
    with bus.session_factory() as session:
        notes = sorted(r.note for r in session.execute(select(bus.effects.c.note)))
    assert notes == ["after-1", "after-2", "before-1", "before-2"]  # each applied exactly once


def _crashing_relay(bus_args: tuple) -> None:
    kind, data_dir, database_url, broker_url, exchange, queue = bus_args
    bus = Bus(kind, data_dir, database_url, broker_url, fresh=False)
    _retarget(bus, exchange, queue)
    relay = bus.relay(hook_after_publish=lambda result: os._exit(137))
    relay.run_once()


def _retarget(bus: Bus, exchange: str, queue: str) -> None:
    from services.common.topology import QueueSpec, Topology

    bus.exchange, bus.queue = exchange, queue
    bus.topology = Topology(exchange, f"{exchange}.dlx", (QueueSpec(queue, ("roster.lawyer.upserted",)),))


def test_a_relay_killed_between_publish_and_mark_publishes_again_and_the_event_is_consumed_once(
    bus: Bus,
) -> None:
    [event_id] = bus.emit(1)
    bus.engine.dispose()
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(
        target=_crashing_relay,
        args=((bus.kind, bus.data_dir, bus.database_url, bus.broker_url, bus.exchange, bus.queue),),
    )
    child.start()
    child.join(60)
    assert child.exitcode == 137
    assert outbox_rows(bus)[0].published_at is None  # published, but never marked
    assert bus.relay().run_once() == 1  # the restarted relay publishes it again
    consumer = bus.consumer(bus.record_effect)
    with Running(consumer.run):
        wait_for(lambda: consumer.stats.duplicates == 1, what="the second copy to be recognised")
    assert bus.effects_count(event_id) == 1


def test_an_unroutable_event_is_detected_and_its_outbox_row_stays_unpublished(bus: Bus) -> None:
    with UnitOfWork(bus.session_factory, producer="test") as uow:
        routed = uow.emit("roster.lawyer.upserted", lawyer_data())
        lost = uow.emit(
            "roster.station.upserted",
            {
                "id": str(uuid.uuid4()),
                "name": "Yining County centre",
                "level": "county",
                "region_code": "654021",
                "parent_id": None,
            },
        )
        uow.commit()
    relay = bus.relay()
    assert relay.run_once() == 1
    assert relay.unroutable_total == 1
    rows = {r.event_id: r for r in outbox_rows(bus)}
    assert rows[routed].published_at is not None
    assert rows[lost].published_at is None
    assert rows[lost].unroutable
    assert relay.run_once() == 0  # an unroutable row does not block the ones behind it


def test_a_message_carries_its_attempt_count_into_the_dead_letter(bus: Bus) -> None:
    def handler(session, envelope, data):
        raise RuntimeError("always")

    bus.emit(1)
    bus.relay().run_once()
    consumer = bus.consumer(handler)
    with Running(consumer.run):
        wait_for(lambda: consumer.stats.dead_lettered == 1)
    [letter] = list_dead_letters(bus.connection(), bus.queue, bus.topology, bus.max_deliveries)
    assert int(letter["attempts"]) == bus.max_deliveries


def test_outbox_counts_match_what_the_relay_published(bus: Bus) -> None:
    bus.emit(20)
    relay = bus.relay(batch_size=7)
    total = 0
    while (sent := relay.run_once()) > 0:
        total += sent
    outbox = bus.tables.outbox
    with bus.session_factory() as session:
        unpublished = session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
    assert total == 20
    assert unpublished == 0


def test_nothing_is_lost_when_a_consumer_dies_holding_a_message(bus: Bus) -> None:
    """A consumer process killed mid-message: the message comes back to the next consumer."""
    [event_id] = bus.emit(1)
    bus.relay().run_once()
    bus.engine.dispose()
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(
        target=_dying_consumer,
        args=((bus.kind, bus.data_dir, bus.database_url, bus.broker_url, bus.exchange, bus.queue),),
    )
    child.start()
    child.join(60)
    assert child.exitcode == 137
    consumer = bus.consumer(bus.record_effect)
    with Running(consumer.run):
        wait_for(lambda: bus.effects_count(event_id) == 1, what="the message to come back")


def _dying_consumer(bus_args: tuple) -> None:
    kind, data_dir, database_url, broker_url, exchange, queue = bus_args
    bus = Bus(kind, data_dir, database_url, broker_url, fresh=False)
    _retarget(bus, exchange, queue)

    def die(session, envelope, data):
        os._exit(137)

    import threading

    bus.consumer(die).run(threading.Event())


def test_published_outbox_rows_are_pruned_after_a_week_and_unpublished_ones_never(bus: Bus) -> None:
    from datetime import UTC, datetime, timedelta

    bus.emit(3)
    relay = bus.relay()
    assert relay.run_once() == 3
    bus.emit(1)  # still waiting for the relay
    assert relay.prune(now=datetime.now(UTC) + timedelta(days=6)) == 0
    assert relay.prune(now=datetime.now(UTC) + timedelta(days=8)) == 3
    rows = outbox_rows(bus)
    assert len(rows) == 1
    assert rows[0].published_at is None
