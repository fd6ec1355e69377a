"""What the tests share: paths, the REST conversation's learners, raw HTTP, a platform stand-in.

- ``paths``: the repository root, the trained model, the screenshot folder;
- ``scripts``: the good and the poor learner of the REST conversation, reused by the channel, web chat
  and tutor tests;
- ``http``: real servers on free ports, raw HTTP to the REST channel and reads of the SQLite tracker
  (faults, bad input, security, scale);
- ``standin``: a local HTTP stand-in for the platforms' own servers (Slack, Teams).

Which tests start real servers (the ``e2e`` marker) is decided in one place, ``tests/conftest.py``.
"""
