"""The settlement bench's write floor: the cheapest messages that still do a settlement's writes.

Bench only. Installed as a Django app by `pooling.settings` only when the environment says
`POOLING_BENCH_WRITE_FLOOR=true` (bench.settlement_http starts its gunicorn so); without it the
two infnos are unknown to the interface and answer its unknown-infno error
(tests/bench/test_write_floor.py).

Two bench infnos, served exactly like 1101 (the same slim `/api/hsa/` handler, the credential,
envelope, msgid shape, provider and sign_no checks of `settlement.hsa.dispatch.handle`), each
doing in hand-written SQL the database work a real message cannot avoid, and nothing else:

- W2204 (like 2204, five fee lines of a visit): one transaction — the fee lines in one INSERT,
  then the msgid claimed (INSERT … ON CONFLICT DO NOTHING) with the answer; a repeat gets the
  stored answer. A real 2204 claims its msgid too (exactly-once), so the floor does as well.
- W2207 (like 2207): one transaction — the person's row locked (SELECT … FOR UPDATE), one
  settlement row inserted (its total summed from the visit's fee lines in the same statement; ON
  CONFLICT on the visit: a repeat, serialised by the person's lock, inserts nothing and gets the
  stored answer), the person's accumulator row updated by the settlement's amounts, the msgid
  claimed with the answer. No rules: the fund's share is a fixed 70 % (integer half up) — the policy's rules cost
  Python CPU, not database work, and belong to the settlement's figure, not to the floor.

Why scratch tables (`bench_wf_*`, created by the bench) and not the product's tables inside a
rolled-back transaction: a rolled-back transaction never flushes its commit record to the WAL
and leaves the indexes' dead entries to others, so it would under-count exactly the cost this floor
is for; committed rows in scratch tables pay it. Product code never reads these tables, so no
product behaviour changes. Their shape is the irreducible part of the product's: keys, amounts,
times, a unique visit per settlement, a primary key per accumulator (person, year).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.db import connection, transaction
from django.utils import timezone

from pooling.kernel.money import yuan_to_fen

if TYPE_CHECKING:  # imported when used: Django loads this module before the models
    from settlement.hsa.dispatch import Context

INFNOS = ("W2204", "W2207")
FUND_SHARE_TENTHS = 7  # a stand-in share: the rules' cost is not the floor's

TABLES = """
CREATE TABLE IF NOT EXISTS bench_wf_person (
    id bigserial PRIMARY KEY, psn_no varchar(30) NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS bench_wf_accumulator (
    person_id bigint NOT NULL REFERENCES bench_wf_person (id), year integer NOT NULL,
    medfee_fen bigint NOT NULL DEFAULT 0, fund_fen bigint NOT NULL DEFAULT 0,
    visits integer NOT NULL DEFAULT 0, PRIMARY KEY (person_id, year));
CREATE TABLE IF NOT EXISTS bench_wf_fee (
    id bigserial PRIMARY KEY, visit varchar(40) NOT NULL, provider_id bigint NOT NULL,
    feedetl_sn varchar(30) NOT NULL, item_code varchar(50) NOT NULL, cnt integer NOT NULL,
    price_fen bigint NOT NULL, amount_fen bigint NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS bench_wf_fee_visit ON bench_wf_fee (visit);
CREATE TABLE IF NOT EXISTS bench_wf_settlement (
    id bigserial PRIMARY KEY, visit varchar(40) NOT NULL UNIQUE,
    person_id bigint NOT NULL REFERENCES bench_wf_person (id), provider_id bigint NOT NULL,
    medfee_fen bigint NOT NULL, fund_fen bigint NOT NULL, cash_fen bigint NOT NULL,
    settled_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS bench_wf_settlement_person ON bench_wf_settlement (person_id);
CREATE TABLE IF NOT EXISTS bench_wf_message (
    id bigserial PRIMARY KEY, msgid varchar(30) NOT NULL UNIQUE, provider_id bigint NOT NULL,
    infno varchar(10) NOT NULL, payload_sha256 char(64) NOT NULL, response jsonb NOT NULL,
    received_at timestamptz NOT NULL);
"""


class WriteFloorConfig(AppConfig):
    """What `pooling.settings` installs under POOLING_BENCH_WRITE_FLOOR: the two infnos."""

    name = "bench._write_floor"
    label = "bench_write_floor"
    verbose_name = "bench write floor"

    def ready(self) -> None:
        install()


def install() -> None:
    """Register W2204 and W2207 with the interface (as read-only to dispatch: each claims its
    msgid itself, in its own scratch table, in the same transaction as its writes)."""
    from settlement.hsa.dispatch import TRANSACTIONS, Transaction

    TRANSACTIONS["W2204"] = Transaction("W2204", "费用明细（写入下限）", fee_lines, False, True)
    TRANSACTIONS["W2207"] = Transaction("W2207", "结算（写入下限）", settle, False, True)


def uninstall() -> None:
    from settlement.hsa.dispatch import TRANSACTIONS

    for infno in INFNOS:
        TRANSACTIONS.pop(infno, None)


def create_tables(psn_nos: list[str], year: int) -> None:
    """The scratch tables, one person and accumulator row per patient the load will use."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(TABLES)
        cursor.execute(
            "INSERT INTO bench_wf_person (psn_no) SELECT unnest(%s::varchar[])"
            " ON CONFLICT (psn_no) DO NOTHING",
            [psn_nos],
        )
        cursor.execute(
            "INSERT INTO bench_wf_accumulator (person_id, year) SELECT id, %s FROM bench_wf_person"
            " ON CONFLICT DO NOTHING",
            [year],
        )


def check() -> str:
    """What the scratch tables hold after a run: every settlement's fee lines, and the
    accumulators equal to the settlements' sums (the same identity settlement/reconcile.py checks)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM bench_wf_settlement),"
            " (SELECT count(*) FROM bench_wf_fee f WHERE EXISTS"
            "   (SELECT 1 FROM bench_wf_settlement s WHERE s.visit = f.visit)),"
            " (SELECT count(*) FROM bench_wf_message),"
            " (SELECT coalesce(sum(medfee_fen), 0)::bigint FROM bench_wf_settlement)"
            "   = (SELECT coalesce(sum(medfee_fen), 0)::bigint FROM bench_wf_accumulator)"
            " AND (SELECT coalesce(sum(fund_fen), 0)::bigint FROM bench_wf_settlement)"
            "   = (SELECT coalesce(sum(fund_fen), 0)::bigint FROM bench_wf_accumulator)"
        )
        settled, lines, messages, equal = cursor.fetchone()
    return (
        f"write floor's tables: {settled:,} settlements with {lines:,} fee lines, {messages:,} msgids "
        f"claimed; accumulators = Σ settlements: {'yes, to the fen' if equal else 'NO'}"
    )


def fee_lines(context: Context) -> dict[str, Any]:
    """W2204: the visit's fee lines in one INSERT; the msgid claimed with the answer."""
    rows = context.input["feedetail"]
    visit, now, provider = rows[0]["mdtrt_id"], timezone.now(), context.provider.pk
    values: list[Any] = []
    for row in rows:
        price = yuan_to_fen(row["pric"])
        values += [visit, provider, row["feedetl_sn"], row["med_list_codg"], int(row["cnt"])]
        values += [price, yuan_to_fen(row["det_item_fee_sumamt"]), now]

    def work(cursor: Any) -> dict[str, Any]:
        cursor.execute(
            "INSERT INTO bench_wf_fee (visit, provider_id, feedetl_sn, item_code, cnt, price_fen,"
            " amount_fen, created_at) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows)),
            values,
        )
        return {"result": [{"feedetl_sn": row["feedetl_sn"]} for row in rows]}

    return _exactly_once(context, work)


def settle(context: Context) -> dict[str, Any]:
    """W2207: lock the person, insert the settlement (total from the fee lines), add it to the
    person's accumulator, claim the msgid with the answer."""
    data = context.data
    now = timezone.now()

    def work(cursor: Any) -> dict[str, Any]:
        cursor.execute(
            "SELECT id FROM bench_wf_person WHERE psn_no = %s FOR UPDATE", [data["psn_no"]]
        )
        (person,) = cursor.fetchone()
        cursor.execute(
            # ::bigint: sum() of bigint is numeric, and the share's integer division must stay integer.
            "INSERT INTO bench_wf_settlement (visit, person_id, provider_id, medfee_fen, fund_fen,"
            " cash_fen, settled_at) SELECT %s, %s, %s, t, f, t - f, %s FROM (SELECT t,"
            " (t * %s + 5) / 10 AS f FROM (SELECT coalesce(sum(amount_fen), 0)::bigint AS t"
            " FROM bench_wf_fee WHERE visit = %s) s) x ON CONFLICT (visit) DO NOTHING"
            " RETURNING id, medfee_fen, fund_fen",
            [
                data["mdtrt_id"],
                person,
                context.provider.pk,
                now,
                FUND_SHARE_TENTHS,
                data["mdtrt_id"],
            ],
        )
        row = cursor.fetchone()
        if row is None:  # the visit is settled: a repeat (it waited on the person's lock)
            raise _Repeat
        setl_id, total, fund = row
        cursor.execute(
            "UPDATE bench_wf_accumulator SET medfee_fen = medfee_fen + %s,"
            " fund_fen = fund_fen + %s, visits = visits + 1 WHERE person_id = %s AND year = %s",
            [total, fund, person, timezone.localdate(now).year],
        )
        return {"setlinfo": {"setl_id": str(setl_id), "medfee_sumamt": total, "hifp_pay": fund}}

    return _exactly_once(context, work)


class _Repeat(Exception):
    """The msgid was claimed before: roll this transaction's writes back, answer the stored one."""


def _exactly_once(context: Context, work: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """`work`, then the msgid claimed with its answer, in one transaction. The claim comes last (it
    carries the answer, so no second statement stores it): a concurrent repeat waits on the
    msgid's unique index, or for W2207 on the person's lock, and then gets the stored answer."""
    env = context.env
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            output = work(cursor)
            cursor.execute(
                "INSERT INTO bench_wf_message (msgid, provider_id, infno, payload_sha256, response,"
                " received_at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (msgid) DO NOTHING"
                " RETURNING id",
                [
                    env.msgid,
                    context.provider.pk,
                    env.infno,
                    env.payload_sha256,
                    connection.ops.adapt_json_value(output, None),
                    timezone.now(),
                ],
            )
            if cursor.fetchone() is None:
                raise _Repeat
            return output
    except _Repeat:
        with connection.cursor() as cursor:
            # ::text: Django's psycopg setup hands jsonb over undecoded (its JSONField decodes).
            cursor.execute(
                "SELECT response::text FROM bench_wf_message WHERE msgid = %s", [env.msgid]
            )
            row = cursor.fetchone()
    if row is None:
        raise LookupError(f"visit settled under another msgid than {env.msgid}")
    return dict(json.loads(row[0]))
