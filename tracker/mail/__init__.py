"""Mail: one outbox for every message the tracker sends (digests, invitations), its sender and the transport."""
