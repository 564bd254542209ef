"""Imports and exports of trainees, rotations and module results as CSV files."""
