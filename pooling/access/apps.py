"""django-axes as this project installs it: its models under a Chinese heading in the admin."""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _


class SignInProtectionConfig(AxesConfig):
    verbose_name = _("登录保护")
