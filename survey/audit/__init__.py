"""The audit trail: who changed what (recorded by the session hooks) and the administrators' view of it."""
