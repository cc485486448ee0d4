"""State-changing operations shared by the views and the CLI.

Functions here add to and flush the SQLAlchemy session but never commit: the
caller (one view or one CLI command) commits once, or rolls back.
"""
