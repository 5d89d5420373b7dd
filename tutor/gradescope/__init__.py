"""`tutor gradescope`: an autograder zip for Gradescope (setup.sh, run_autograder, the package), and what runs
inside Gradescope's container (autograder.py)."""
