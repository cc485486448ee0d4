"""Benchmarks and the plain-HTTP survey client they share with the gunicorn tests."""
