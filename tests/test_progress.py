"""Progress bars of long commands: drawn on a terminal only, never with --quiet or into a file or pipe;
an import tells its progress callback how far it is, ending at the whole."""
import io
import time

import pytest

from tests.factories import make_trainee
from tracker.extensions import db
from tracker.imports import services
from tracker.web import cli


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("terminal", "quiet", "drawn"), [(True, False, True), (True, True, False), (False, False, False)])
def test_a_bar_is_drawn_on_a_terminal_unless_quiet(monkeypatch, terminal, quiet, drawn):
    stream = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", stream)
    with cli.Progress("Evaluating trainees", quiet, err=True) as progress:
        for done in range(0, 101, 20):
            progress(done, 100)
    assert ("Evaluating trainees" in stream.getvalue()) is drawn


def test_an_import_reports_its_progress_to_the_end(app):
    trainee = make_trainee()
    db.session.flush()
    rows = "".join(f"{trainee.user.email},Leave {n},2020-0{n}-01,2020-0{n}-03\n" for n in range(1, 4))
    data = ("trainee_email,reason,start_date,end_date\n" + rows).encode()
    calls = []
    report = services.import_file("leave", data, progress=lambda done, total: calls.append((done, total)))
    assert report.created == 3
    assert calls[-1] == (6, 6) and [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_the_export_on_standard_output_has_no_bar(runner):
    result = runner.invoke(args=["readiness", "export", "--as-of", "2026-01-05"])
    assert result.exit_code == 0
    assert result.output.startswith("trainee_email,role,status,progress,unmet")


@pytest.mark.parametrize(("terminal", "quiet", "drawn"), [(True, False, True), (True, True, False), (False, False, False)])
def test_a_bar_over_time_moves_with_the_clock_and_ends_full(monkeypatch, terminal, quiet, drawn):
    """The planner's bar: work bounded by a time limit reports no steps of its own, so the bar follows the clock."""
    stream = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", stream)
    with cli.Progress("Planning (at most 0.3 s)", quiet, err=True) as progress, progress.over_time(0.3, step=0.05):
        time.sleep(0.2)
    shown = stream.getvalue()
    assert ("Planning (at most 0.3 s)" in shown) is drawn
    if drawn:
        assert "100%" in shown  # ended full, though the work took less than the limit
