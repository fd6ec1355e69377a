"""Custom actions: thin adapters from a Rasa tracker to the coach in ``bot`` and back."""
