"""The production loop: metrics from the store (the monitor and its alert rules), feedback tied to the
model and prompt behind it, and the review queue that turns doubtful conversations into scenarios."""
