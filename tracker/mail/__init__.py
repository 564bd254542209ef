"""The mail layer: SMTP when MAIL_SERVER is set, .eml files in the instance folder otherwise."""
