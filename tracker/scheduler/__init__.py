"""The scheduler: APScheduler cron triggers for the readiness, digest and mail retry jobs."""
