"""Calendar feeds: personal iCalendar addresses (a random token each, stored hashed) and the events they carry."""
