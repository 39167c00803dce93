"""Settlement's sections on other apps' pages (see pooling.kernel.hooks)."""

from pooling.kernel.hooks import PERSON_PANELS
from settlement.views import person_panel

PERSON_PANELS.register(person_panel)
