"""Providers' systems: their credentials, daily sign-ins (9001) and the message log.

A provider's system authenticates with a credential issued by the handling agency
that manages the provider; the secret is shown once and stored only as a SHA-256
digest (it is 256 random bits, so a slow password hash would add nothing but
latency to every message). A message that changes anything is logged under its
`msgid` with the digest of its payload and the answer given, so a repeat returns the
same answer and a different payload under the same id is refused.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.scoping import ScopedModel


class CredentialStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已吊销")


class Credential(ScopedModel):
    """One system's key to the settlement interface (接口密钥), per provider."""

    scope_paths = ("provider__handling_region",)
    provider_scope_path = "provider"

    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("定点机构"),
        on_delete=models.PROTECT,
        related_name="credentials",
    )
    key_id = models.CharField(_("密钥编号"), max_length=24, unique=True)
    secret_sha256 = models.CharField(_("密钥摘要"), max_length=64)
    label = models.CharField(_("用途说明"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE
    )
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("替换的密钥"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.CharField(_("吊销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["provider_id", "-issued_at"]

    def __str__(self) -> str:
        return f"{self.key_id}（{self.get_status_display()}）"


class SignIn(ScopedModel):
    """A daily sign-in (9001): its `sign_no` goes with every message until 9002 or midnight."""

    scope_paths = ("provider__handling_region",)
    provider_scope_path = "provider"

    provider = models.ForeignKey(
        "providers.Provider", verbose_name=_("定点机构"), on_delete=models.PROTECT, related_name="+"
    )
    credential = models.ForeignKey(
        Credential, verbose_name=_("接口密钥"), on_delete=models.PROTECT, related_name="sign_ins"
    )
    sign_no = models.CharField(_("签到编号"), max_length=30, unique=True)
    day = models.DateField(_("签到日期"))
    opter_no = models.CharField(_("操作员编号"), max_length=30)
    mac = models.CharField(_("MAC地址"), max_length=30, blank=True)
    ip = models.CharField(_("IP地址"), max_length=45, blank=True)
    signed_in_at = models.DateTimeField(_("签到时间"))
    signed_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口签到")
        verbose_name_plural = _("接口签到")
        ordering = ["-signed_in_at"]

    def __str__(self) -> str:
        return self.sign_no


class Message(models.Model):
    """A message that changed something, and the answer it got (partitioned by the msgid's month)."""

    provider_scope_path = "provider"

    month = models.DateField(_("报文月份"))
    msgid = models.CharField(_("报文ID"), max_length=30)
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name=_("定点机构"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    infno = models.CharField(_("交易编号"), max_length=4)
    payload_sha256 = models.CharField(_("报文摘要"), max_length=64)
    response = models.JSONField(_("应答"))
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("接口报文")
        verbose_name_plural = _("接口报文")
        constraints = [
            models.UniqueConstraint(fields=["msgid", "month"], name="settlement_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.infno} {self.msgid}"
