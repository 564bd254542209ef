"""What a week's digest says, and to whom: sections, their date boundaries, parts, and set-based loading."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from tests.digest_support import MONDAY, WEEK, hash_each_password_once, make_flag, make_programme  # noqa: F401  (fixtures)
from tests.factories import make_job_type, make_module, make_result, make_role, make_rotation, make_trainee, make_user
from tracker.core.weeks import parse_week
from tracker.digest.content import build_digests
from tracker.digest.rendering import render_digest
from tracker.extensions import db


def digests_by_email(week=WEEK):
    return {d.recipient.email: d for d in build_digests(week)}


def names(items):
    return [item.trainee.name for item in items]


def test_each_supervisor_gets_only_their_own_trainees(app):
    make_programme()
    digests = digests_by_email()
    assert set(digests) == {"ada.admin@example.com", "maria@example.com", "david@example.com"}  # not Ivan: no active trainee
    maria, david = digests["maria@example.com"], digests["david@example.com"]
    assert names(maria.sections.newly_ready) == ["Amelia Hughes"] and maria.sections.awaiting_decision == []
    assert names(maria.sections.nearly_ready) == ["Ben Carter"]
    assert names(david.sections.awaiting_decision) == ["Chloe Martin"] and david.sections.newly_ready == []
    assert "Chloe" not in render_digest(maria).text + render_digest(maria).html
    assert "Amelia" not in render_digest(david).text + render_digest(david).html
    assert (maria.trainee_count, david.trainee_count) == (2, 1)


def test_admins_get_a_programme_summary(app):
    make_programme()
    admin = digests_by_email()["ada.admin@example.com"]
    assert admin.is_programme_summary and admin.trainee_count == 3
    assert names(admin.sections.newly_ready) == ["Amelia Hughes"]
    assert names(admin.sections.awaiting_decision) == ["Chloe Martin"]
    lines = {line.name: line for line in admin.summary}
    assert set(lines) == {"Maria Lopez", "David Chen"}
    assert lines["Maria Lopez"].trainees == 2
    assert lines["Maria Lopez"].counts["newly_ready"] == 1 and lines["Maria Lopez"].counts["nearly_ready"] == 1
    assert lines["David Chen"].counts["awaiting_decision"] == 1
    text = render_digest(admin).text
    assert "Amelia Hughes (supervisor Maria Lopez)" in text and "BY SUPERVISOR" in text


def test_the_summary_points_out_supervisors_who_get_no_digest(app):
    programme = make_programme()
    programme.david.digest_subscribed = False
    gone = make_user("supervisor", name="Gone Supervisor", active=False)
    make_trainee(supervisor=gone, name="Orphan Trainee")
    admin = digests_by_email()["ada.admin@example.com"]
    text = render_digest(admin).text
    assert "David Chen (unsubscribed from the digest)" in text
    assert "Gone Supervisor (inactive: gets no digest)" in text


@pytest.mark.parametrize("raised_days_before_monday, section", [
    (1, "newly_ready"),      # Sunday before the week
    (7, "newly_ready"),      # the Monday a week before: first of the 7 reported days
    (8, "awaiting_decision"),
    (60, "awaiting_decision"),
    (0, None),               # raised on the Monday itself: next week's news
])
def test_newly_ready_means_flagged_in_the_7_days_before_the_week(app, raised_days_before_monday, section):
    supervisor = make_user("supervisor", email="sam@example.com")
    trainee = make_trainee(supervisor=supervisor, name="Tess Trainee")
    make_rotation(trainee, make_job_type(), MONDAY - timedelta(days=10), None)
    make_flag(trainee, make_role(), MONDAY - timedelta(days=raised_days_before_monday))
    sections = digests_by_email()["sam@example.com"].sections
    found = {name for name in ("newly_ready", "awaiting_decision") if getattr(sections, name)}
    assert found == ({section} if section else set())


@pytest.mark.parametrize("changes, listed", [
    ({"cleared_on": MONDAY - timedelta(days=1)}, False),
    ({"cleared_on": MONDAY}, False),                                   # cleared by the Monday's readiness run
    ({"cleared_on": MONDAY + timedelta(days=3)}, True),                # still open on the Monday
    ({"decision": "deferred", "decision_on": MONDAY - timedelta(days=2)}, False),
    ({"decision": "deferred", "decision_on": None}, False),
    ({"decision": "deferred", "decision_on": MONDAY + timedelta(days=1)}, True),
])
def test_cleared_or_decided_flags_are_not_news(app, changes, listed):
    supervisor = make_user("supervisor", email="sam@example.com")
    trainee = make_trainee(supervisor=supervisor)
    make_rotation(trainee, make_job_type(), MONDAY - timedelta(days=10), None)
    make_flag(trainee, make_role(), MONDAY - timedelta(days=15), **changes)
    assert bool(digests_by_email()["sam@example.com"].sections.awaiting_decision) is listed


def test_trainees_who_are_not_active_are_never_mentioned(app):
    supervisor = make_user("supervisor", email="sam@example.com")
    active = make_trainee(supervisor=supervisor, name="Active Annie")
    for status in ("withdrawn",):
        gone = make_trainee(supervisor=supervisor, name="Withdrawn Walter", status=status)
        make_flag(gone, make_role(), MONDAY - timedelta(days=2))
    make_flag(active, make_role(), MONDAY - timedelta(days=2))
    digest = digests_by_email()["sam@example.com"]
    assert names(digest.sections.newly_ready) == ["Active Annie"] and digest.trainee_count == 1
    assert "Walter" not in render_digest(digest).text


def modules_role(supervisor, passed: int, total: int):
    """A trainee and a role of `total` module requirements, `passed` of them met."""
    modules = [make_module(name=f"Module {n:02d}") for n in range(total)]
    role = make_role(modules=[(m, 70) for m in modules])
    trainee = make_trainee(supervisor=supervisor, name="Nina Nearly")
    make_rotation(trainee, make_job_type(), MONDAY - timedelta(days=10), None)
    for module in modules[:passed]:
        make_result(trainee, module, MONDAY - timedelta(days=5), 90)
    return trainee, role


@pytest.mark.parametrize("passed, total, listed", [(3, 4, True), (2, 3, False), (4, 4, False), (7, 8, True)])
def test_nearly_ready_means_at_least_three_quarters_and_not_ready(app, passed, total, listed):
    supervisor = make_user("supervisor", email="sam@example.com")
    modules_role(supervisor, passed, total)
    assert bool(digests_by_email()["sam@example.com"].sections.nearly_ready) is listed


def test_nearly_ready_names_the_one_or_two_things_missing_and_counts_the_rest(app):
    supervisor = make_user("supervisor", email="sam@example.com")
    modules_role(supervisor, 9, 12)
    (item,) = digests_by_email()["sam@example.com"].sections.nearly_ready
    assert item.percent == 75
    assert item.missing == (
        "needs Module 09 at 70 or more, no valid result", "needs Module 10 at 70 or more, no valid result",
    )
    assert item.more_missing == 1
    assert "still missing: needs Module 09 at 70 or more, no valid result; needs Module 10" in render_digest(
        digests_by_email()["sam@example.com"]).text


def test_a_flag_for_one_role_leaves_the_trainee_nearly_ready_for_the_others(app):
    supervisor = make_user("supervisor", email="sam@example.com")
    trainee, flagged_role = modules_role(supervisor, 3, 4)
    other_role = make_role("other", modules=[(m.module, 70) for m in flagged_role.module_requirements])
    make_flag(trainee, flagged_role, MONDAY - timedelta(days=20))  # flagged then, three quarters there now
    sections = digests_by_email()["sam@example.com"].sections
    assert [(item.trainee.name, item.role_name) for item in sections.awaiting_decision] == [("Nina Nearly", flagged_role.name)]
    assert [(item.trainee.name, item.role_name) for item in sections.nearly_ready] == [("Nina Nearly", other_role.name)]


@pytest.mark.parametrize("rotations, reason", [
    ([(-60, -29)], "no rotation in the last 28 days and none ongoing (the last ended Sun 25 Oct 2026)"),
    ([(-60, -28)], None),                         # covers the first of the 28 days
    ([(-60, None)], None),                        # ongoing
    ([(-90, -40), (3, None)], "no rotation in the last 28 days"),  # the next one only starts later this week
    ([], "no rotation yet"),
])
def test_needs_attention_when_no_rotation_covers_the_last_28_days(app, rotations, reason):
    supervisor = make_user("supervisor", email="sam@example.com")
    trainee = make_trainee(supervisor=supervisor, name="Ida Idle")
    job = make_job_type()
    for start, end in rotations:
        make_rotation(trainee, job, MONDAY + timedelta(days=start), None if end is None else MONDAY + timedelta(days=end), rating=3 if end else None)
    attention = digests_by_email()["sam@example.com"].sections.needs_attention
    if reason is None:
        assert attention == []
    else:
        (item,) = attention
        assert item.reasons[0].startswith(reason)


def test_finished_rotations_without_a_rating_need_attention(app):
    supervisor = make_user("supervisor", email="sam@example.com")
    trainee = make_trainee(supervisor=supervisor, name="Una Unrated")
    job = make_job_type(name="Procurement desk")
    make_rotation(trainee, job, MONDAY - timedelta(days=40), MONDAY - timedelta(days=1))   # finished Sunday, unrated
    make_rotation(trainee, make_job_type(), MONDAY, MONDAY + timedelta(days=30))           # ongoing from Monday
    (item,) = digests_by_email()["sam@example.com"].sections.needs_attention
    assert item.reasons == ("Procurement desk (Wed 14 Oct 2026 to Sun 22 Nov 2026) is not rated yet",)


@pytest.mark.parametrize("completed_on, listed", [
    (date(2025, 11, 24), True),    # lapses on Tuesday 24 November 2026, the day after the Monday
    (date(2025, 11, 23), False),   # lapses on the Monday itself: no longer counting when the digest goes out
    (date(2025, 12, 23), True),    # lapses on 23 December, the 30th day after the Monday
    (date(2025, 12, 24), False),   # the 31st
])
def test_results_that_lapse_within_30_days_of_the_monday(app, completed_on, listed):
    supervisor = make_user("supervisor", email="sam@example.com")
    trainee = make_trainee(supervisor=supervisor)
    make_rotation(trainee, make_job_type(), MONDAY - timedelta(days=10), None)
    make_result(trainee, make_module(name="Workplace Safety", valid_months=12, pass_score=70), completed_on, 81)
    expiring = digests_by_email()["sam@example.com"].sections.expiring_results
    assert bool(expiring) is listed
    if listed:
        assert expiring[0].lapses_on == completed_on.replace(year=2026)


def test_a_lapsing_result_renewed_since_or_failed_is_not_listed(app):
    supervisor = make_user("supervisor", email="sam@example.com")
    trainee = make_trainee(supervisor=supervisor)
    make_rotation(trainee, make_job_type(), MONDAY - timedelta(days=10), None)
    renewed = make_module(name="Renewed", valid_months=12, pass_score=70)
    make_result(trainee, renewed, date(2025, 12, 1), 81)
    make_result(trainee, renewed, date(2026, 10, 1), 75)
    failed = make_module(name="Failed", valid_months=12, pass_score=70)
    make_result(trainee, failed, date(2025, 12, 1), 55)
    digest = digests_by_email()["sam@example.com"]
    assert digest.sections.expiring_results == [] and not digest.has_news()


@pytest.mark.parametrize("end_offset, listed", [(0, True), (6, True), (7, False), (-1, False)])
def test_rotations_ending_during_the_week(app, end_offset, listed):
    supervisor = make_user("supervisor", email="sam@example.com")
    trainee = make_trainee(supervisor=supervisor)
    make_rotation(trainee, make_job_type(name="Logistics"), MONDAY - timedelta(days=20), MONDAY + timedelta(days=end_offset), rating=4)
    ending = digests_by_email()["sam@example.com"].sections.rotations_ending
    assert [(item.job_type_name, item.end_date) for item in ending] == (
        [("Logistics", MONDAY + timedelta(days=end_offset))] if listed else []
    )


def test_week_53_looks_back_across_christmas_and_ahead_into_the_new_year(app):
    week = parse_week("2026-W53")  # Monday 28 December 2026 to Sunday 3 January 2027
    supervisor = make_user("supervisor", email="sam@example.com")
    new_year = make_trainee(supervisor=supervisor, name="Nia Newyear")
    earlier = make_trainee(supervisor=supervisor, name="Eli Earlier")
    job = make_job_type(name="Logistics")
    make_rotation(new_year, job, date(2026, 11, 2), date(2027, 1, 2), rating=4)
    make_rotation(earlier, job, date(2026, 11, 2), None)
    make_flag(new_year, make_role(), date(2026, 12, 21))
    make_flag(earlier, make_role(), date(2026, 12, 20))
    digest = digests_by_email(week)["sam@example.com"]
    assert names(digest.sections.newly_ready) == ["Nia Newyear"]
    assert names(digest.sections.awaiting_decision) == ["Eli Earlier"]
    assert [(i.trainee.name, i.end_date) for i in digest.sections.rotations_ending] == [("Nia Newyear", date(2027, 1, 2))]
    rendered = render_digest(digest)
    assert "week 2026-W53" in rendered.subject and "1 newly ready" in rendered.subject
    assert "Flagged ready for a role between Mon 21 Dec 2026 and Sun 27 Dec 2026." in rendered.text
    assert "Logistics ends Sat 2 Jan 2027" in rendered.text


def test_a_supervisor_with_nothing_to_report_has_no_news(app):
    supervisor = make_user("supervisor", email="sam@example.com")
    trainee = make_trainee(supervisor=supervisor)
    make_rotation(trainee, make_job_type(), MONDAY - timedelta(days=10), None)
    digest = digests_by_email()["sam@example.com"]
    assert not digest.has_news()
    assert "Nothing to report this week." in render_digest(digest).text


def test_both_parts_link_each_trainee_and_the_subject_counts_the_newly_ready(app):
    programme = make_programme()
    rendered = render_digest(digests_by_email()["maria@example.com"])
    assert rendered.subject == "Readiness digest, week 2026-W48 (from Mon 23 Nov 2026): 1 newly ready"
    for trainee in (programme.amelia, programme.ben):
        url = f"http://tracker.test/trainees/{trainee.id}"
        assert url in rendered.text and f'href="{url}"' in rendered.html
    assert "http://tracker.test/digest/unsubscribe/" in rendered.text and "http://tracker.test/digest/unsubscribe/" in rendered.html


def test_the_html_part_is_self_contained_for_mail_clients(app):
    make_programme()
    html = render_digest(digests_by_email()["maria@example.com"]).html
    assert "<img" not in html and "<script" not in html and "<link" not in html and "<style" not in html
    assert 'style="' in html
    assert not re.search(r"(src|href)=\"(?!http://tracker\.test/)", html)  # every link goes to the tracker


def test_names_are_escaped_in_the_html_part(app):
    supervisor = make_user("supervisor", email="sam@example.com")
    trainee = make_trainee(supervisor=supervisor, name="<b>Bobby</b> Tables")
    make_flag(trainee, make_role(), MONDAY - timedelta(days=1))
    rendered = render_digest(digests_by_email()["sam@example.com"])
    assert "&lt;b&gt;Bobby&lt;/b&gt; Tables" in rendered.html and "<b>Bobby</b>" not in rendered.html
    assert "<b>Bobby</b> Tables" in rendered.text  # the text part is plain text, not HTML


def add_supervisor_with_news(n: int):
    supervisor = make_user("supervisor")
    job, module = make_job_type(), make_module(valid_months=12)
    role = make_role(rotations=[(job, 4, 3)], modules=[(module, 60)])
    for _ in range(n):
        trainee = make_trainee(supervisor=supervisor)
        make_rotation(trainee, job, MONDAY - timedelta(days=80), MONDAY - timedelta(days=40))
        make_rotation(trainee, make_job_type(), MONDAY - timedelta(days=5), MONDAY + timedelta(days=2))
        make_result(trainee, module, date(2025, 12, 1), 80)
        make_flag(trainee, role, MONDAY - timedelta(days=2))


def count_statements(action) -> int:
    statements = []
    listener = lambda *args: statements.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_content_is_loaded_with_a_fixed_number_of_queries(app):
    make_user("admin")
    add_supervisor_with_news(2)
    db.session.commit()
    small = count_statements(lambda: [render_digest(d) for d in build_digests(WEEK)])
    for _ in range(3):
        add_supervisor_with_news(6)
    db.session.commit()
    digests = []
    large = count_statements(lambda: digests.extend(render_digest(d) for d in build_digests(WEEK)))
    assert len(digests) == 5
    assert large == small
