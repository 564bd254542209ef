"""Entry point for gunicorn (`wsgi:app`) and the Flask CLI (`flask --app wsgi ...`)."""
from flask.helpers import get_debug_flag

from config import Config, DevelopmentConfig
from tracker import create_app

app = create_app(DevelopmentConfig if get_debug_flag() else Config)
