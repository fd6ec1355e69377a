"""complaint-coach core: scenarios, customer simulation, move detection, scoring.

This package is plain Python. Only ``bot.adapters.nlu_component`` imports Rasa, and only
Rasa imports that module (it is named in ``config.yml``).
"""

__version__ = "0.1.0"
