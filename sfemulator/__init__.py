"""A local Salesforce org served at the HTTP level, so the real simple-salesforce client can talk to it.

Entry points: ``app.OrgEmulator`` (the org), ``adapter.EmulatorAdapter`` / ``adapter.ForwardingAdapter``
(mount on a ``requests.Session``), ``registry.emulator_for`` (one shared org per directory) and the
``run_emulator`` management command (the same org as a standalone HTTP server).
"""
