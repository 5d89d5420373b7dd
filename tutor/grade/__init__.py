"""Instructor grading: `tutor grade` runs learner code through `tutor.sandbox` workers and keeps a gradebook.

Modules: collect (finding submissions), gradebook (SQLite), exports (CSV, feedback HTML, Gradescope),
memo (identical results judged once), summary (the class summary), engine (one grading run), cli (`tutor grade`).
Running learner code (workers, confinement, limits) lives in `tutor.sandbox`; outcome -> CheckReport in
`tutor.judge.outcome`.
"""
