"""Our own run of the scoping matrix over this app's pages and API (the shared one covers all apps)."""

from __future__ import annotations

import pytest

from tests.providers.factories import SCOPED_FACTORIES

pytestmark = pytest.mark.django_db

LISTS = ["/providers/", "/providers/deadlines/", "/providers/public/", "/providers/public/export/?format=csv",
         "/providers/assessments/?year=2025", "/api/v1/providers/"]
PER_PROVIDER = ["/providers/{pk}/", "/providers/{pk}/act/apply/", "/providers/{pk}/violations/new/",
                "/providers/{pk}/assessment/?year=2025", "/api/v1/providers/{pk}/",
                "/api/v1/providers/{pk}/events/"]


@pytest.mark.parametrize("model", list(SCOPED_FACTORIES), ids=lambda m: m.__name__)
def test_it_shows_nothing_of_another_county(model, client_for, clerk_a, clerk_b, county_a,
                                            assessment_template):
    row = SCOPED_FACTORIES[model](county_a, "机密标记")
    provider = getattr(row, "provider", row)
    own = client_for(clerk_a).get(f"/providers/{provider.pk}/").content.decode()
    assert "机密标记" in own  # the marker does show to the county that owns it
    other = client_for(clerk_b)
    for url in LISTS + [u.format(pk=provider.pk) for u in PER_PROVIDER]:
        response = other.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert "机密标记" not in body.decode(), url
    response = other.post(f"/api/v1/providers/{provider.pk}/transitions/", {"action": "apply"},
                          content_type="application/json")
    assert response.status_code == 404
    provider.refresh_from_db()
    assert provider.state == "registered"
