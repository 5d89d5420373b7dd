"""Instructor grading: `tutor grade` runs learner code in sandboxed worker processes and keeps a gradebook.

Modules: protocol (grader <-> worker messages), jail (confining a child), child (what a child runs),
worker (the long-lived worker that forks children), pool (the grader's side of the workers), verdicts
(outcome -> CheckReport), collect (finding submissions), gradebook (SQLite), exports (CSV, feedback HTML,
Gradescope), engine (one grading run), cli (`tutor grade`).
"""
