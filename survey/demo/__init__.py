"""Demo data for `make run`: communities, assets, campaigns, responses and paper batches."""
