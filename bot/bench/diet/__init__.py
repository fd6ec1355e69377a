"""``coach bench-diet``: Rasa's own DIETClassifier on the move benchmark, for comparison.

Nothing in ``bot/`` imports Rasa for this: training runs ``rasa train nlu`` and prediction runs
``bot/bench/diet/predict.py`` as a script, both in subprocesses with the venv's interpreter.
"""
