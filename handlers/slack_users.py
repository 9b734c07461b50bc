"""Translating Slack user objects into the domain's Profile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from domain.pacing import SendPacer
from domain.people import Profile
from handlers.delivery import retry_after
from handlers.mrkdwn import Mrkdwn, mention
from services.people import ProfileUnavailable

NO_ANSWER = "Slack didn't tell me who that is just now; please try again in a minute."


def profile_from_slack_user(user: dict[str, Any]) -> Profile:
    profile = user.get("profile") or {}
    return Profile(
        user_id=user["id"],
        team_id=user.get("team_id") or profile.get("team") or "",
        name=user.get("name") or "",
        real_name=user.get("real_name") or profile.get("real_name") or "",
        tz=user.get("tz"),
        is_bot=bool(user.get("is_bot")),
        deleted=bool(user.get("deleted")),
    )


def fetch_profile(client: WebClient, team_id: str) -> Any:
    """A fetcher for services.people: users.info, with the request's team as a fallback.
    Raises ProfileUnavailable, in words, when Slack does not know the person or does not
    answer."""

    def fetch(user_id: str) -> Profile:
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "users_not_found"):
                raise ProfileUnavailable(
                    Mrkdwn(
                        "I can't find {} in this workspace: choose the person "
                        "with @ as you type their name."
                    ).format(mention(user_id))
                ) from error
            raise ProfileUnavailable(NO_ANSWER) from error
        except (OSError, TimeoutError) as error:  # no answer in time, or no route
            raise ProfileUnavailable(NO_ANSWER) from error
        return profile_from_slack_user({"team_id": team_id, **user})

    return fetch


def quick_client(client: WebClient) -> WebClient:
    """The same client without retries or long waits, for the rare lookup made before an ack."""
    return WebClient(token=client.token, base_url=client.base_url, timeout=2)


class SlackDirectory:
    """`services.org_import.Directory` over the Web API (users.lookupByEmail, users.info),
    paced by what Slack allows: each 429 pauses for its Retry-After and slows the pace
    (`domain.pacing`), and the look-up is tried again. Give it a client without retry handlers.
    Raises SlackApiError for any refusal but "no such user" (a missing scope, say)."""

    def __init__(self, client: WebClient, team_id: str, pacer: SendPacer | None = None) -> None:
        self.client = client
        self.team_id = team_id
        self.pacer = pacer or SendPacer()

    def by_email(self, email: str) -> Profile | None:
        return self._user(lambda: self.client.users_lookupByEmail(email=email))

    def by_id(self, user_id: str) -> Profile | None:
        return self._user(lambda: self.client.users_info(user=user_id))

    def _user(self, call: Callable[[], SlackResponse]) -> Profile | None:
        while True:
            self.pacer.wait_turn(deadline=float("inf"))
            try:
                user = call()["user"]
            except SlackApiError as error:
                if error.response.status_code == 429:
                    self.pacer.refused(retry_after(error.response.headers).total_seconds())
                    continue
                if error.response.get("error") in ("user_not_found", "users_not_found"):
                    return None
                raise
            self.pacer.sent()
            return profile_from_slack_user({"team_id": self.team_id, **user})
