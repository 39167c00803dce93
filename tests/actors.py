"""Who acts in a test's set-up. Services take a required actor; rows a test only needs to
exist are made by SETUP, a system actor holding every capability (the audit trail names it).
Tests about *who may* act use the role fixtures of tests/conftest.py instead."""

from pooling.kernel.permissions import CAPABILITIES, system_actor

SETUP = system_actor("tests.setup", "测试数据准备", CAPABILITIES)
