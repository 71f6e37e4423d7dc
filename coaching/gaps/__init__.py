"""The gap rules: a catalogue of small named rules (where, how and what a rep sells, and strengths) that
judge each rep's weekly metric snapshots against the team and the org, with statistical guards so that a
small sample never fires. ``evaluate_gaps`` builds a week's ``Gap`` rows; ``snooze_gap`` silences one.
Every rule, threshold and default: docs/gaps.md.
"""
