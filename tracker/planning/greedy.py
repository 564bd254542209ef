"""The greedy baseline: each trainee in turn takes, block by block, the job type that closes most of their gap.

Order: trainees who can become ready at all (their modules hold at some block
end) before those who cannot, and among them the fewest blocks still needed
first. Shortest-first is the rule that minimises a sum of completion times
when jobs share one resource, which is what the sum of weeks to ready is; a
trainee whose modules are missing gains no date from a place, so takes what
is left to shrink their gap.

Per block (in date order, skipping blocked ones) the trainee takes the job type
with a free place that leaves the fewest blocks still needed, then the fewest
days missing at the horizon's end, then the one with the most places left;
nothing when no job type closes anything, and no more once the gap is closed.
The CP-SAT model starts from this plan (a hint), so it is never worse.
"""

from __future__ import annotations

from collections.abc import Mapping

from tracker.planning.gaps import TraineeGap

Plans = dict[int, dict[int, int]]  # trainee id -> {block: job type id}


def greedy_order(gap: TraineeGap) -> tuple[bool, int, int]:
    """Who plans first: those who can become ready, fewest blocks needed first, then by id."""
    can_be_ready = any(s.modules_met for s in gap.by_block)
    return (not can_be_ready, gap.blocks_needed(gap.at_end, {}), gap.trainee.id)


def in_turn(gap: TraineeGap) -> int:
    """The plainest order: trainees as they are listed (by id), whatever they still need."""
    return gap.trainee.id


def greedy_plans(gaps: list[TraineeGap], free: Mapping[tuple[int, int], int | None], order=greedy_order) -> Plans:
    """The baseline plan for every trainee who needs one, taking places in turn (`order`: who goes first).

    The planner uses `greedy_order` (shortest first); `in_turn` is the naive baseline the benchmark
    also reports, to show what the ordering and CP-SAT each add.
    """
    left = dict(free)
    plans: Plans = {}
    for gap in sorted((g for g in gaps if g.needs_plan), key=order):
        plans[gap.trainee.id] = plan = {}
        planned: dict[int, int] = {}
        for block in gap.open_blocks:
            if gap.blocks_needed(gap.at_end, planned) == 0:
                break
            job = best_job(gap, planned, block, left)
            if job is None:
                continue
            plan[block] = job
            planned[job] = planned.get(job, 0) + 1
            if left[job, block] is not None:
                left[job, block] -= 1
    return plans


def best_job(gap: TraineeGap, planned: dict[int, int], block: int, left: Mapping[tuple[int, int], int | None]) -> int | None:
    """The job type with a free place in the block that closes most of the gap, or None."""
    now = (gap.blocks_needed(gap.at_end, planned), gap.shortfall_days(planned))
    best, best_key = None, None
    for job in gap.useful:
        places = left[job, block]
        if places == 0 or (gap.most_blocks is not None and planned.get(job, 0) >= gap.most_blocks[job]):
            continue
        trial = {**planned, job: planned.get(job, 0) + 1}
        after = (gap.blocks_needed(gap.at_end, trial), gap.shortfall_days(trial))
        if after >= now:
            continue
        key = (after, -(places if places is not None else 1 << 30))
        if best_key is None or key < best_key:
            best, best_key = job, key
    return best
