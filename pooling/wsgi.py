import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pooling.settings")
site = get_wsgi_application()

# Providers' machine messages (/api/hsa/) skip the pages' middleware: settlement/hsa/wsgi.py.
from settlement.hsa.wsgi import HsaHandler, split  # noqa: E402 — needs django.setup() first

application = split(site, HsaHandler())
