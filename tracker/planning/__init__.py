"""Planning: proposing rotations so trainees are ready for their first target role as early as places allow.

Pure for now (no Flask, no database): problem.py (input and output data),
gaps.py (each trainee's gap, from the readiness rules), greedy.py (the
baseline), solver.py (the CP-SAT model), outcome.py (the forecast on a plan),
planner.py (propose(): all of it within a time limit).
"""
