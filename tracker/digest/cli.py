"""`flask digest send`: the weekly readiness digest from the command line."""
from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from tracker.core.formatting import format_day
from tracker.core.weeks import WeekError, check_week_in_range, current_week, parse_week
from tracker.digest import services
from tracker.digest.content import build_digests
from tracker.extensions import db
from tracker.infra.clock import programme_zone, today, utcnow
from tracker.web.cli import QUIET_OPTION, Progress, fail

digest_cli = AppGroup("digest", help="The weekly readiness digest.")


@digest_cli.command("send")
@click.option("--week", "week_text", metavar="YYYY-Www", help="ISO week (default: the current week in TRACKER_TIMEZONE).")
@click.option("--dry-run", is_flag=True, help="Render and report; send and record nothing.")
@QUIET_OPTION
def send_command(week_text: str | None, dry_run: bool, quiet: bool) -> None:
    """Record one digest per recipient for the week, then try every pending one at once; exit 1 if any failed."""
    try:
        week = check_week_in_range(parse_week(week_text), today()) if week_text else current_week(utcnow(), programme_zone())
    except WeekError as exc:
        fail(str(exc))
    if dry_run:
        print_dry_run(week, quiet)
        return
    with Progress("Building digests", quiet) as progress:
        report = services.send_week(week, backoff=False, progress=progress)
    click.echo(summary_line(report))
    if report.any_failed:
        raise SystemExit(1)


def summary_line(report: services.RunReport) -> str:
    """One line: the week's totals, what this run sent, retries of other weeks if any, and when pending ones go next."""
    totals = report.totals
    line = (
        f"Digest {report.week}: {totals['sent']} sent, {totals['skipped']} skipped, "
        f"{totals['failed']} failed, {totals['pending']} pending (this run sent {report.outcomes['sent']})."
    )
    if report.other_weeks:
        other = report.other_weeks
        line += f" Earlier weeks retried: {other['sent']} sent, {other['failed']} failed, {other['pending']} pending."
    if totals["pending"] and report.next_try is not None:
        line += f" Pending ones are next tried by the scheduler from {local_time(report.next_try)}."
    return line


def local_time(moment: datetime) -> str:
    """A stored (naive UTC) time in TRACKER_TIMEZONE: "Mon 30 Nov 2026 07:15 UTC"."""
    zone = programme_zone()
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    return f"{format_day(local.date())} {local:%H:%M} {zone.key}"


def print_dry_run(week, quiet: bool = False) -> None:
    """Each recipient and what a real run would do, then a count; nothing is written."""
    recorded = services.recorded_statuses(str(week))
    would = {"send": 0, "skip": 0, "already recorded": 0}
    digests = build_digests(week)
    with Progress("Building digests", quiet) as progress:
        plans = services.plan_week(digests, progress)
    for digest, planned in zip(digests, plans, strict=True):
        who = digest.recipient.email
        if digest.recipient.id in recorded:
            would["already recorded"] += 1
            click.echo(f"  {who}: already recorded ({recorded[digest.recipient.id]})")
        elif planned.status == "skipped":
            would["skip"] += 1
            click.echo(f"  {who}: would skip ({planned.skip_reason.replace('_', ' ')})")
        else:
            would["send"] += 1
            click.echo(f"  {who}: would send \"{planned.subject}\"")
    db.session.rollback()
    click.echo(
        f"Dry run for {week}: would send {would['send']}, would skip {would['skip']}, "
        f"{would['already recorded']} already recorded. Nothing was sent or recorded."
    )
