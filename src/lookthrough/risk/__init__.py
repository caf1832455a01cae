"""Risk: indicators, scorecards, learned models, assessments, credit classes, alerts."""
