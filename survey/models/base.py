"""What every table's class builds on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Enum

from survey.extensions import Base, db

if TYPE_CHECKING:
    # What type checkers see: SQLAlchemy's typed declarative base, which `db.Model` extends.
    Model = Base
else:
    Model = db.Model


def enum_type(values: tuple[str, ...], name: str) -> Enum:
    # Stored as text with a named CHECK constraint: portable, and readable in raw SQL.
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)
