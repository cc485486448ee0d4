"""WSGI entry point: `gunicorn wsgi:app` (run `flask --app wsgi init-db` first)."""

from survey import create_app

app = create_app()
