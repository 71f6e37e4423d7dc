"""Calibrating coaching: per frontline manager, how their 1:1 topics are handled and whether the discussed
ones moved the metric they were about, against a matched control. For a director; not a ranking."""
