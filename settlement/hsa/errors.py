"""Errors answered to a provider's system: `infcode = -1` and a Chinese `err_msg` naming field and rule."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from pooling.kernel.errors import BusinessRuleError

MALFORMED = _("报文不是合法的 JSON 对象：%(detail)s")
MISSING = _("缺少必填字段 %(field)s")
BAD_FORMAT = _("字段 %(field)s 格式不正确：%(rule)s（收到“%(value)s”）")
UNKNOWN_INFNO = _("不支持的交易编号 infno=%(value)s")
NOT_SIGNED_IN = _("签到编号 sign_no 无效或已签退，请先调用 9001 签到")
MSGID_PROVIDER = _("报文ID msgid 必须以本机构编码 %(own)s 开头（收到“%(value)s”）")
MSGID_SHAPE = _(
    "报文ID msgid 应为 30 位：机构编码 12 位 + 时间 yyyyMMddHHmmss + 顺序号 4 位（收到“%(value)s”）"
)
MSGID_TIME = _("报文ID msgid 中的时间 %(time)s 与当前时间相差过大（应在 7 天内）")
MSGID_REUSED = _("报文ID %(msgid)s 已用于内容不同的另一笔交易")
WRONG_PROVIDER = _("fixmedins_code=%(given)s 与接口密钥所属机构 %(own)s 不一致")
NO_CREDENTIAL = _("缺少或无效的接口密钥（请求头 Authorization: Bearer <密钥编号>.<密钥>）")
NAMED = _("%(field)s：%(message)s")
INTERNAL = _("系统内部错误，请稍后重试（事件编号 %(incident)s）")


class HsaError(BusinessRuleError):
    """A refusal in the interface's own form; the same constants as the rest of the system."""

    def __init__(
        self, message: Any, *, field: str | None = None, code: str = "hsa", **params: Any
    ) -> None:
        if field is not None:
            params.setdefault("field", field)
        super().__init__(message, code=code, field=field, params=params)
