"""The database refuses to rewrite settlements, their reversal links or an answered message —
whatever SQL the application (or anyone) sends."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from pooling.kernel.scoping import unrestricted
from settlement.models import Message, Settlement


@pytest.fixture
def settled(hsa, people):
    mdtrt_id = hsa.register(people.employee)
    hsa.fees(mdtrt_id, people.employee, [("001102000000100", "1", "20.00")])
    info = hsa.settle(mdtrt_id, people.employee, "20.00")["output"]["setlinfo"]
    hsa.post("2208", {"data": {"mdtrt_id": mdtrt_id, "setl_id": info["setl_id"]}})
    with unrestricted():
        return Settlement.objects.filter(kind="settle").get()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE settlement_settlement SET hifp_pay = hifp_pay + 100 WHERE id = %s",
        "DELETE FROM settlement_settlement WHERE id = %s",
        "UPDATE settlement_settlementreversal SET reversal_id = reversal_id + 1 WHERE original_id = %s",
        "DELETE FROM settlement_settlementreversal WHERE original_id = %s",
    ],
)
def test_it_refuses_to_rewrite_settlements(settled, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [settled.pk])


def test_it_refuses_to_rewrite_an_answered_message(settled):
    message = Message.objects.filter(infno="2207").get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE settlement_message SET response = '{\"x\": 1}' WHERE id = %s", [message.pk]
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM settlement_message WHERE id = %s", [message.pk])
