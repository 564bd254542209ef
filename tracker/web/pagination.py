"""One page size for every paginated list (the PAGE_SIZE setting), and the one helper that pages a query."""
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from tracker.extensions import db


def paginate(query: Select) -> Pagination:
    """The page of the query's rows named by ?page= (the first when missing or not a number), PAGE_SIZE rows a page."""
    size = current_app.config["PAGE_SIZE"]
    return db.paginate(query, per_page=size, max_per_page=size, error_out=False)
