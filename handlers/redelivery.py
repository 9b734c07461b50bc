"""Doing again the work of a request another process acknowledged and did not finish."""

from __future__ import annotations

from slack_bolt import App, BoltRequest

from services.inbox import OwedWork

# In a redelivered request's context: its inbox row. Listeners then skip the ack (Slack had
# it) and the middleware that refuses what it has seen lets it through.
REDELIVERED = "alliance_redelivered"


def redeliver(app: App, owed: OwedWork) -> None:
    """Run the stored request through the app again, its work done before this returns."""
    request = BoltRequest(body=owed.body, mode="socket_mode", context={REDELIVERED: owed.id})
    app.dispatch(request)
