"""Translating Slack user objects into the domain's Profile."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from domain.people import Profile
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
