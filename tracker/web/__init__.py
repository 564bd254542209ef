"""What every page, form and command shares: form handling, fields, error pages, headers, command failures."""
