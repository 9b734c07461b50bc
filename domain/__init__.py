"""The rules of the Alliance, in plain Python: no Slack, no database."""
