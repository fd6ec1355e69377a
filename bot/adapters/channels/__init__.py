"""Rasa input channels for complaint-coach.

Like ``bot.adapters.nlu_component``, these modules import Rasa and are loaded only by the
Rasa server (``credentials.yml`` names them); nothing else in ``bot`` imports them.
"""
