"""The one way learner code runs: a long-lived worker forks one confined child per run; plain arrays come back."""
