"""gunicorn's settings for the tracker, read from the directory gunicorn starts in (the project root).

With SCHEDULER_ENABLED on, each worker runs the scheduler in threads of its
own once it has loaded the app; the claims in job_runs make every occurrence
of a job run once, however many workers and hosts compete for it. The
scheduler is never started in create_app, so `flask` commands and tests
never start one by accident.
"""


def post_worker_init(worker) -> None:
    """Start the scheduler in this worker when the app it serves (wsgi:app) has SCHEDULER_ENABLED."""
    from tracker.scheduler.process import log_jobs, start_background_scheduler

    app = worker.wsgi
    if app.config["SCHEDULER_ENABLED"]:
        log_jobs(app)
        start_background_scheduler(app)
