"""Community assets: the asset log and its CSV, nominations, and the SROI adjustments a workshop agrees."""
