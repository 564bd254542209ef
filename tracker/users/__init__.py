"""Admin pages for users and supervisor assignment."""
