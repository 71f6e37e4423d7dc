"""Deal flags calibrated on each org's own history (docs/backtest.md).

``states`` rebuilds every deal as it stood at past week ends (SQL, streamed); ``tables`` counts won and lost
deals per rep, stage and flag in one GROUP BY; ``lift`` turns those counts into a Mantel-Haenszel verdict per
flag; ``winmodel`` fits the deal win probability; ``update`` runs it all weekly and stores the results;
``pricing`` turns a flagged deal into expected revenue at stake and a one-line explanation; ``mute`` says
which flags an org hides.
"""
