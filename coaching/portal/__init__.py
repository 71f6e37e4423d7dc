"""The manager portal: server-rendered pages over the coaching engine, filtered through ``coaching.visibility``.

Pages (``views/``) are thin: they read through the query builders in ``queries/`` and change things only
through the engine's named functions (``coaching.agendas``, ``coaching.gaps.snoozes``, the digests'
preferences) or the few portal actions in ``actions.py``. How it fits together: docs/portal.md.
"""
