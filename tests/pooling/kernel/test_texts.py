"""pooling.kernel.texts: a message constant's text per language, remembered."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy

from pooling.benefits.explain import NO_ACCOUNT
from pooling.kernel import texts


def test_a_constant_is_given_in_the_active_language_each_time():
    with translation.override("zh-hans"):
        zh = texts.text(NO_ACCOUNT)
    with translation.override("en"):
        en = texts.text(NO_ACCOUNT)
    with translation.override("zh-hans"):
        assert texts.text(NO_ACCOUNT) == zh == "居民医保不设个人账户，个人负担以现金支付"
    assert en != zh
    with translation.override("en"):
        assert texts.text(NO_ACCOUNT) == en == str(NO_ACCOUNT)
        assert en.isascii()


def test_it_remembers_the_text_instead_of_translating_again(monkeypatch):
    monkeypatch.setattr(texts, "_MEMO", {})
    message = gettext_lazy("未备案")
    with translation.override("en"):
        assert texts.text(message) == str(message)
        ((key, (kept, _text)),) = texts._MEMO.items()
        assert kept is message
        texts._MEMO[key] = (message, "remembered")
        assert texts.text(message) == "remembered"  # read from the memo, not translated again
    with translation.override("zh-hans"):
        assert texts.text(message) == "未备案"  # another language: its own entry


def test_a_plain_string_is_its_own_text_and_the_memo_is_bounded(monkeypatch):
    assert texts.text("已是文本") == "已是文本"
    monkeypatch.setattr(texts, "_MEMO", {})
    monkeypatch.setattr(texts, "LIMIT", 2)
    for n in range(5):
        assert texts.text(gettext_lazy(f"未备案{n}")) == f"未备案{n}"
    assert len(texts._MEMO) == 2
