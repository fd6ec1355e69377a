"""``coach bench-load``: many simulated learners at once over the real REST channel (see ``bot.cli.bench``)."""
