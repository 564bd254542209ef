"""Machinery that needs the app or the database but knows no domain: the clock, locks, bulk writes."""
