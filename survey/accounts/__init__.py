"""Staff accounts: sign-in, passwords and reset links, roles and community assignments, API tokens."""
