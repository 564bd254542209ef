"""Trainees."""
