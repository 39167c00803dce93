"""Checks of the codes a provider carries: national insurance code and credit code."""

from __future__ import annotations

import re

from providers.choices import ProviderKind

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
NATIONAL_CODE = re.compile(r"^([HP])([0-9]{6})([0-9]{5})$")


def credit_code_valid(code: str) -> bool:
    """GB 32100-2015: 18 characters; the last is a mod-31 check over the first 17."""
    if len(code) != 18 or any(c not in CREDIT_ALPHABET for c in code):
        return False
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(code[:17], CREDIT_WEIGHTS, strict=True))
    return code[17] == CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_with_check(first17: str) -> str:
    """Complete 17 characters with their check character (demo data and tests)."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return first17 + CREDIT_ALPHABET[(31 - total % 31) % 31]


def national_code_prefix(kind: str) -> str:
    """Pharmacies carry `P`, every medical institution (hospital, clinic) `H` (医保发〔2019〕39号)."""
    return "P" if kind == ProviderKind.PHARMACY else "H"


def national_code_area(code: str) -> str | None:
    match = NATIONAL_CODE.match(code)
    return match.group(2) if match else None
