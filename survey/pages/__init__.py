"""Public pages that belong to no survey: home and the accessibility statement."""
