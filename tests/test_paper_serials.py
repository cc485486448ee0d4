"""Serial numbers with a Damm check digit: the published example, the algebra, and exhaustive error checks."""

from __future__ import annotations

import itertools

import pytest

from survey.paper.serials import (
    DAMM_TABLE,
    SerialError,
    campaign_prefix,
    damm_check_digit,
    damm_is_valid,
    format_serial,
    parse_serial,
)


def test_published_example_572_has_check_digit_4():
    # Wikipedia, "Damm algorithm", worked example: 572 -> 4, and 5724 validates.
    assert damm_check_digit("572") == 4
    assert damm_is_valid("5724")
    assert not damm_is_valid("5723")


def test_table_is_a_weakly_totally_antisymmetric_quasigroup_with_zero_diagonal():
    digits = range(10)
    assert all(sorted(row) == list(digits) for row in DAMM_TABLE)  # Latin square: rows
    assert all(sorted(DAMM_TABLE[r][c] for r in digits) == list(digits) for c in digits)  # and columns
    assert all(DAMM_TABLE[d][d] == 0 for d in digits)
    # Damm 2004: (c*x)*y == (c*y)*x only if x == y -- the property behind catching transpositions.
    for c, x, y in itertools.product(digits, repeat=3):
        if DAMM_TABLE[DAMM_TABLE[c][x]][y] == DAMM_TABLE[DAMM_TABLE[c][y]][x]:
            assert x == y, (c, x, y)


def test_every_single_digit_error_and_adjacent_transposition_is_caught():
    """Numbers 00000-09999 with their check digit: 10,000 x (54 substitutions + 5 swaps)."""
    for number in range(10_000):
        body = f"{number:05d}"
        valid = body + str(damm_check_digit(body))
        assert damm_is_valid(valid)
        for position, digit in itertools.product(range(len(valid)), "0123456789"):
            if digit != valid[position]:
                typo = valid[:position] + digit + valid[position + 1 :]
                assert not damm_is_valid(typo), (valid, typo)
        for position in range(len(valid) - 1):
            a, b = valid[position], valid[position + 1]
            if a != b:
                swapped = valid[:position] + b + a + valid[position + 2 :]
                assert not damm_is_valid(swapped), (valid, swapped)


def test_serial_format_and_prefix():
    # 00042: interim digits 0,0,0 -> 0, then row 0 col 4 = 5, then row 5 col 2 = 7.
    assert format_serial("DOV", 42) == "DOV-00042-7"
    assert campaign_prefix("dover-town") == "DOV"
    assert campaign_prefix("2025-sheppey") == "SHE"
    assert campaign_prefix("2025") == "PF"
    assert format_serial("SHE", 123456).startswith("SHE-123456-")


@pytest.mark.parametrize("typed", ["DOV-00042-7", "dov-00042-7", " DOV 00042 7 ", "DOV000427", "00042-7", "427"])
def test_typed_serials_are_read_leniently(typed):
    serial = parse_serial(typed)
    assert (serial.number, serial.check, serial.suffix) == (42, 7, "-00042-7")


def test_parse_keeps_the_prefix_when_typed():
    assert parse_serial("dov-00042-7").prefix == "DOV"
    assert parse_serial("427").prefix == ""


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type the serial number"),
        # What was typed in quotation marks, as the keying messages do, never Python's repr ('hello').
        ("hello", "^“hello” is not a serial number"),
        ("DOV-", "^“DOV-” is not a serial number"),
        ("DOV-00042-1", "^“DOV-00042-1” is not a valid serial number: its check digit"),  # one digit wrong
        ("DOV-00024-7", "check digit"),  # 4 and 2 swapped
        ("00", "^“00” is not a serial number: serial numbers start at 1"),
    ],
)
def test_bad_serials_are_refused_with_a_message(typed, message):
    with pytest.raises(SerialError, match=message):
        parse_serial(typed)
