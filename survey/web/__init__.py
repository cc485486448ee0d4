"""Helpers every domain's views share: lookups that 404, form fields, redirects and the CSV upload flow."""
