"""Impact workshops: stakeholders rate each asset on their phones, the room agrees its adjustments."""
