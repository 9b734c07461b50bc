"""A file sent to one person in their DM with the bot (files upload v2)."""

from __future__ import annotations

from slack_sdk import WebClient


def send_file_in_dm(
    client: WebClient,
    user_id: str,
    *,
    content: str | bytes,
    filename: str,
    title: str,
    comment: str,
    alt_text: str | None = None,
) -> None:
    """Upload into the DM, which Slack needs as a channel id, the comment beside the file."""
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(
        channel=channel,
        file=content.encode() if isinstance(content, str) else content,
        filename=filename,
        title=title,
        alt_txt=alt_text,
        initial_comment=comment,
    )
