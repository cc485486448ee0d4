"""Values named in messages: as typed, in double quotes, never Python's repr."""

from __future__ import annotations

from instruments.answers import LONGEST, quoted


def test_a_value_is_shown_as_typed_in_double_quotes() -> None:
    # repr wrote 'dover' but "O'Brien" and 'say "hi"' with a backslash: three styles in one table.
    assert quoted("dover") == '"dover"'
    assert quoted("O'Brien's") == "\"O'Brien's\""
    assert quoted('say "hi" \\ there') == '"say "hi" \\ there"'
    assert quoted(42) == '"42"'


def test_control_characters_are_drawn_so_they_can_be_seen() -> None:
    assert quoted("a\tb\x00c\x7f") == '"a\u2409b\u2400c\u2421"'


def test_a_long_value_is_cut_so_the_message_stays_readable() -> None:
    shown = quoted("x" * 1_000_000)
    assert len(shown) == LONGEST + 2 and shown.endswith('…"')
    assert quoted("y" * LONGEST) == '"' + "y" * LONGEST + '"'
