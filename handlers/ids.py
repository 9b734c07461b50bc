"""Every Slack surface id the bot registers, defined once for listeners, builders and tests."""

from __future__ import annotations

import re

from domain.commands import COMMAND

# Events API subscriptions, each with a listener in handlers.events or handlers.messages.
EVENTS = ("app_home_opened", "user_change", "message")

# The Home tab.
ACTION_OPEN_GUIDE = "home_open_guide"
ACTION_HOME_VIEW_STATEMENT = "home_view_statement"
ACTION_HOME_CHECKIN = "home_checkin"
VIEW_GUIDE = "alliance_guide"

# Tours of duty: the Statement of Alliance modal, its inputs, and the buttons on a proposal.
VIEW_TOUR_STATEMENT = "tour_statement"
BLOCK_TOUR_EMPLOYEE = "tour_employee"
BLOCK_TOUR_TYPE = "tour_type"
BLOCK_TOUR_OBJECTIVE = "tour_objective"
BLOCK_TOUR_START = "tour_start"
BLOCK_TOUR_END = "tour_end"
BLOCK_TOUR_SUCCESS_COMPANY = "tour_success_company"
BLOCK_TOUR_SUCCESS_EMPLOYEE = "tour_success_employee"
BLOCK_TOUR_CADENCE = "tour_cadence"
ACTION_TOUR_ACCEPT = "tour_accept"
ACTION_TOUR_SUGGEST = "tour_suggest"
ACTION_TOUR_SUCCESS_CHAT = "tour_success_chat"
ACTION_TOUR_WITHDRAW = "tour_withdraw"

# Values and aspirations: the summary's buttons, the edit modal, the company's values modal.
ACTION_VALUES_EDIT = "values_edit"
ACTION_VALUES_SHARE = "values_share"
ACTION_VALUES_UNSHARE = "values_unshare"
ACTION_VALUES_SHARE_TEAM = "values_share_team"
VIEW_VALUES_EDIT = "values_edit_modal"
BLOCK_VALUES_ASPIRATIONS = "values_aspirations"
BLOCK_VALUES_CORE = "values_core"
BLOCK_VALUES_NOTE = "values_note"
VIEW_COMPANY_VALUES = "company_values_modal"
BLOCK_COMPANY_VALUES = "company_values"
BLOCK_COMPANY_ASPIRATIONS = "company_aspirations"

# Alignment reviews: the prompt's answer buttons (one id per answer: ids are unique within an
# actions block), its text modal, and snoozing.
ACTION_REVIEW_PROGRESS = {
    "on_track": "review_progress_on_track",
    "at_risk": "review_progress_at_risk",
    "off_track": "review_progress_off_track",
}
ACTION_REVIEW_ALIGNMENT = {score: f"review_alignment_{score}" for score in range(1, 6)}
ACTION_REVIEW_THOUGHTS = "review_thoughts"
# Snoozing is one overflow menu on the prompt; the two buttons it replaced are still honoured
# on prompts sent before.
ACTION_REVIEW_SNOOZE_MENU = "review_snooze"
ACTION_REVIEW_SNOOZE = {"day": "review_snooze_day", "week": "review_snooze_week"}
# One "Resolved" button per open topic, so each carries its own id within the prompt (Slack
# requires action_ids unique in a message): the prefix, a colon and the gap's id.
ACTION_REVIEW_GAP_RESOLVED = "review_gap_resolved"
ACTION_REVIEW_GAP_RESOLVED_ANY = re.compile(rf"^{ACTION_REVIEW_GAP_RESOLVED}(:\d+)?$")
VIEW_REVIEW_THOUGHTS = "review_thoughts_modal"
BLOCK_REVIEW_TO_ADDRESS = "review_to_address"
BLOCK_REVIEW_LEARNED = "review_learned"

# The tour-end conversation: the three choices on a lead-time prompt.
ACTION_TOUR_END_NEW = "tour_end_new_tour"
ACTION_TOUR_END_TRANSITION = "tour_end_transition"
ACTION_TOUR_END_LATER = "tour_end_later"
ACTION_TOUR_END_OFFBOARD = "tour_end_offboard"
ACTION_TOUR_HAND_OVER = "tour_hand_over"
ACTION_TOUR_CLOSE_ON_MOVE = "tour_close_on_move"
ACTION_ORG_IMPORT = "org_import"
ACTION_ORG_IMPORT_CANCEL = "org_import_cancel"
# Rollout rows: one per report in a message, so each id is suffixed ":<the report's user id>".
ACTION_ROLLOUT_PROPOSE = "rollout_propose"
ACTION_ROLLOUT_PROPOSE_ANY = re.compile(rf"^{ACTION_ROLLOUT_PROPOSE}(:[A-Z0-9]+)?$")
ACTION_ROLLOUT_ASIDE = "rollout_aside"
ACTION_ROLLOUT_ASIDE_ANY = re.compile(rf"^{ACTION_ROLLOUT_ASIDE}(:[A-Z0-9]+)?$")

# Leaving and the alumni network: the offboarding form, and the invitation's two answers.
VIEW_OFFBOARD = "offboard_modal"
BLOCK_OFFBOARD_LAST_DAY = "offboard_last_day"
BLOCK_OFFBOARD_STANDING = "offboard_good_standing"
BLOCK_OFFBOARD_EMAIL = "offboard_personal_email"
BLOCK_OFFBOARD_LINE = "offboard_directory_line"
VIEW_ALUMNI_ENTRY = "alumni_entry_modal"
BLOCK_ALUMNI_ROLE = "alumni_current_role"
BLOCK_ALUMNI_EXPERTISE = "alumni_expertise"
BLOCK_ALUMNI_OPEN_TO = "alumni_open_to"
BLOCK_ALUMNI_LISTED = "alumni_listed"
VIEW_OPPORTUNITY = "opportunity_modal"
BLOCK_OPPORTUNITY_KIND = "opportunity_kind"
BLOCK_OPPORTUNITY_TITLE = "opportunity_title"
BLOCK_OPPORTUNITY_DESCRIPTION = "opportunity_description"
BLOCK_OPPORTUNITY_LINK = "opportunity_link"
BLOCK_OPPORTUNITY_CONTACT = "opportunity_contact"
BLOCK_OPPORTUNITY_CLOSES = "opportunity_closes_on"
ACTION_OPPORTUNITY_INTERESTED = "opportunity_interested"
ACTION_PRIVACY_FORGET = "privacy_forget"
VIEW_LEARNING = "learning_modal"
BLOCK_LEARNING_TEXT = "learning_text"
BLOCK_LEARNING_SOURCE = "learning_source"
BLOCK_LEARNING_LINK = "learning_link"
ACTION_LEARNING_CONFIRM = "learning_confirm"
ACTION_EXPENSE_APPROVE = "expense_approve"
ACTION_EXPENSE_DECLINE = "expense_decline"
VIEW_EXPENSE_DECLINE = "expense_decline_modal"
BLOCK_EXPENSE_REASON = "expense_decline_reason"
ACTION_EXPENSE_NEW = "expense_new"
VIEW_EXPENSE = "expense_modal"
BLOCK_EXPENSE_AMOUNT = "expense_amount"
BLOCK_EXPENSE_WHAT = "expense_what"
BLOCK_EXPENSE_EVENT_DATE = "expense_event_date"
ACTION_EXPENSE_FOLLOWUP = "expense_followup_share"
ACTION_ALUMNI_JOIN = "alumni_join"
ACTION_ALUMNI_DECLINE = "alumni_decline"


def gap_resolved_action(gap_id: int) -> str:
    return f"{ACTION_REVIEW_GAP_RESOLVED}:{gap_id}"


ACTIONS = (
    ACTION_OPEN_GUIDE,
    ACTION_HOME_VIEW_STATEMENT,
    ACTION_HOME_CHECKIN,
    ACTION_TOUR_ACCEPT,
    ACTION_TOUR_SUGGEST,
    ACTION_TOUR_SUCCESS_CHAT,
    ACTION_TOUR_WITHDRAW,
    ACTION_VALUES_EDIT,
    ACTION_VALUES_SHARE,
    ACTION_VALUES_SHARE_TEAM,
    ACTION_VALUES_UNSHARE,
    *ACTION_REVIEW_PROGRESS.values(),
    *ACTION_REVIEW_ALIGNMENT.values(),
    ACTION_REVIEW_THOUGHTS,
    ACTION_REVIEW_SNOOZE_MENU,
    *ACTION_REVIEW_SNOOZE.values(),
    ACTION_REVIEW_GAP_RESOLVED,
    ACTION_TOUR_END_NEW,
    ACTION_TOUR_END_TRANSITION,
    ACTION_TOUR_END_LATER,
    ACTION_TOUR_END_OFFBOARD,
    ACTION_TOUR_HAND_OVER,
    ACTION_TOUR_CLOSE_ON_MOVE,
    ACTION_ROLLOUT_PROPOSE,
    ACTION_ROLLOUT_ASIDE,
    ACTION_ORG_IMPORT,
    ACTION_ORG_IMPORT_CANCEL,
    ACTION_ALUMNI_JOIN,
    ACTION_ALUMNI_DECLINE,
    ACTION_OPPORTUNITY_INTERESTED,
    ACTION_PRIVACY_FORGET,
    ACTION_LEARNING_CONFIRM,
    ACTION_EXPENSE_APPROVE,
    ACTION_EXPENSE_DECLINE,
    ACTION_EXPENSE_NEW,
    ACTION_EXPENSE_FOLLOWUP,
)
VIEWS = (
    VIEW_TOUR_STATEMENT,
    VIEW_VALUES_EDIT,
    VIEW_COMPANY_VALUES,
    VIEW_REVIEW_THOUGHTS,
    VIEW_OFFBOARD,
    VIEW_ALUMNI_ENTRY,
    VIEW_OPPORTUNITY,
    VIEW_LEARNING,
    VIEW_EXPENSE_DECLINE,
    VIEW_EXPENSE,
)

__all__ = ["ACTIONS", "COMMAND", "EVENTS", "VIEWS"]
