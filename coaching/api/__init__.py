"""The REST API (``/api/v1/``) for CRM widgets and other tools: read a rep's metrics and gaps, a deal's flags and
a manager's agenda by Salesforce ids; act on agenda items and snooze gaps. Every lookup goes through the one
visibility rule (``coaching.visibility``); anything out of scope answers 404. Reference: docs/api.md.
"""
