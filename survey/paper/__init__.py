"""Paper forms: numbered batches and their PDFs, keyboard data entry, double entry and its resolution."""
