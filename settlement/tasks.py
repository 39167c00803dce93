"""Settlement's Celery tasks (found by autodiscovery): the monthly cycle's live with it."""

from settlement.cycle.tasks import cycle_shard, cycle_start, cycle_watchdog

__all__ = ["cycle_shard", "cycle_start", "cycle_watchdog"]
