"""Invitations: imported and new users set their own password through a signed, expiring link."""
