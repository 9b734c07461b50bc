"""Thin Bolt listeners, one module per Slack surface, and the Block Kit they send."""
