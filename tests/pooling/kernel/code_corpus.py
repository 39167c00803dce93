"""One corpus of national codes, valid and not, shared by every test of a door that checks
them: the kernel's checks, the SQL people screen, the forms and the API.

Each invalid value names the constant its refusal must carry (None for the valid ones),
so every door is held to the same verdict *and* the same message.
"""

from __future__ import annotations

from pooling.kernel import codes


def _id(first17: str) -> str:
    return codes.id_number_from(first17)


def _broken(number: str) -> str:
    """The same number with a wrong check character."""
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def _x_check() -> str:
    for seq in range(100, 999):
        first17 = f"32090219900307{seq:03d}"
        if codes.id_check_char(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check character")


X_ID = _x_check()

# (value, expected refusal or None when valid). The valid ones include an X check character,
# a woman's and a man's, a shipped area (亭湖区) and another province's.
ID_NUMBERS: list[tuple[str, object]] = [
    ("360426199101010071", None),
    ("120103198806018241", None),
    (_id("32090219900101001"), None),
    (X_ID, None),
    (X_ID.lower(), None),  # valid once normalized
    (" " + _id("32090219800517003") + "\u3000", None),
    ("36042619910101007", codes.ID_WRONG_LENGTH),
    ("3604261991010100711", codes.ID_WRONG_LENGTH),
    ("", codes.ID_WRONG_LENGTH),
    ("36042619910101A071", codes.ID_BAD_CHARS),
    ("36042619910101007Y", codes.ID_BAD_CHARS),
    ("３６０４２６１９９１０１０１００７１", codes.ID_BAD_CHARS),  # full-width digits
    ("36042619910101007١", codes.ID_BAD_CHARS),  # an Arabic-Indic digit
    ("360426199101010072", codes.ID_BAD_CHECK_DIGIT),
    (_broken(X_ID), codes.ID_BAD_CHECK_DIGIT),
    (_id("99042619910101007"), codes.ID_UNKNOWN_AREA),
    (_id("00000019910101007"), codes.ID_UNKNOWN_AREA),
    (_id("36042619910231007"), codes.ID_BAD_BIRTH_DATE),  # 31 February
    (_id("36042618790101007"), codes.ID_BAD_BIRTH_DATE),  # before 1880
    (_id("36042620990101007"), codes.ID_FUTURE_BIRTH_DATE),
]

CREDIT_CODES: list[tuple[str, object]] = [
    ("91110108551385082Q", None),
    ("91110000600037341L", None),
    ("91110108551385082q", None),
    (" 9111 0108 5513 8508 2Q ", None),
    (codes.credit_code_from("91320902MA1MXA000"), None),
    ("91110108551385082", codes.CREDIT_WRONG_LENGTH),
    ("91110108551385082QQ", codes.CREDIT_WRONG_LENGTH),
    ("9111010855138508IQ", codes.CREDIT_BAD_CHARS),  # I is not in the alphabet
    ("9111010855138508OQ", codes.CREDIT_BAD_CHARS),
    ("91110108551385082R", codes.CREDIT_BAD_CHECK),
    ("91110108551385082A", codes.CREDIT_BAD_CHECK),
]

# (value, prefix, area the provider stands in, expected refusal or None)
PROVIDER_CODES: list[tuple[str, str, str, object]] = [
    ("H32090250001", "H", "320902", None),
    ("p32090250001", "P", "320902", None),
    ("P32090200001", "H", "320902", codes.BAD_PROVIDER_CODE),  # a pharmacy's code for a hospital
    ("H32090250001", "P", "320902", codes.BAD_PROVIDER_CODE),
    ("H3209020001", "H", "320902", codes.BAD_PROVIDER_CODE),  # one digit short
    ("X32090250001", "H", "320902", codes.BAD_PROVIDER_CODE),
    ("H32090350001", "H", "320902", codes.PROVIDER_CODE_AREA),
]
