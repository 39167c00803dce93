"""SCOPED_FACTORIES of the pooling app, for the scoping matrix (tests/pooling/test_scoping_matrix.py).

ImportBatch: a county clerk's uploaded file (its name carries the marker), with one
stored error whose reason carries it too, so the batch page, the progress JSON, the
error report and the API would all show it if the scope were forgotten.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from pooling.imports.models import ImportBatch, ImportStatus
from pooling.imports.services import store_upload
from pooling.kernel.choices import Role
from pooling.models import Region, User


def make_import_batch(county: Region, marker: str) -> ImportBatch:
    clerk = User.objects.create(username=f"import-{marker}", role=Role.COUNTY_CLERK, region=county)
    stored = store_upload(ContentFile("身份证号码,姓名,人员类别\n".encode(), name=f"{marker}.csv"))
    batch = ImportBatch(
        kind="people",
        original_name=f"{marker}.csv",
        uploaded_by=clerk,
        county=county,
        stored_name=stored,
        status=ImportStatus.PREVIEWED,
        rows_total=1,
        error_count=1,
        errors=[{"row": 2, "column": "姓名", "reason": marker}],
    )
    batch.save()
    return batch


SCOPED_FACTORIES = {ImportBatch: make_import_batch}
