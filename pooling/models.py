"""The pooling app's models, gathered for Django from the packages that define them.

Each model lives with its job: regions and staff in `kernel/`, policy versions in
`policy/`, county baselines in `policy/unification/`, catalogues in
`benefits/catalogue/`, import batches in `imports/`. Import them from here or from
there; the table names (app label `pooling`) never moved.
"""

from pooling.benefits.catalogue.models import CatalogueItem, CatalogueVersion
from pooling.heartbeat import WorkerHeartbeat
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.kernel.regions import Region, User
from pooling.policy.models import PolicyStatus, PolicyVersion
from pooling.policy.unification.models import CountyBaselineItem

__all__ = [
    "CatalogueItem",
    "CatalogueVersion",
    "CountyBaselineItem",
    "ImportBatch",
    "ImportStatus",
    "PolicyStatus",
    "PolicyVersion",
    "Region",
    "User",
    "WorkerHeartbeat",
]
