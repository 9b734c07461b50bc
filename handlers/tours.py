"""Tours of duty: the statement modal, proposals in DMs, agreement, and reading tours."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from domain.conversations import Flow, FlowName
from domain.mentions import mentioned_user
from domain.statement import StatementDocument, render_statement_markdown
from domain.tour_flows import (
    TOUR_GUIDED_FLOW,
    TOUR_SUCCESS_FLOW,
    guided_draft,
    success_text,
)
from domain.tours import Side, TourDraft, TourType, VersionSource, add_months, draft_problems
from handlers.conversation_views import Completion, ask
from handlers.dm_files import send_file_in_dm
from handlers.home import publish_home
from handlers.ids import (
    ACTION_TOUR_ACCEPT,
    ACTION_TOUR_SUCCESS_CHAT,
    ACTION_TOUR_SUGGEST,
    ACTION_TOUR_WITHDRAW,
    BLOCK_TOUR_CADENCE,
    BLOCK_TOUR_EMPLOYEE,
    BLOCK_TOUR_END,
    BLOCK_TOUR_OBJECTIVE,
    BLOCK_TOUR_START,
    BLOCK_TOUR_SUCCESS_COMPANY,
    BLOCK_TOUR_SUCCESS_EMPLOYEE,
    BLOCK_TOUR_TYPE,
    VIEW_TOUR_STATEMENT,
)
from handlers.mrkdwn import Mrkdwn, escape_mrkdwn, mention
from handlers.slack_users import fetch_profile, quick_client
from handlers.subcommands import Invocation, Reply, SubcommandHandler, say
from handlers.tour_views import (
    ModalPurpose,
    build_outcome_message,
    build_proposal_message,
    build_statement_modal,
    build_tour_list,
)
from handlers.views import (
    input_state,
    picked_date,
    picked_option,
    typed_text,
)
from handlers.wiring import acknowledge, acknowledged
from services.conversations import Progress, start_conversation
from services.deps import Deps
from services.people import get_person, remember_person
from services.refusals import NOT_YOURS
from services.tours import (
    Agreement,
    TourRefusal,
    TourStatement,
    accept_tour,
    check_employee,
    get_statement,
    propose_tour,
    revise_tour,
    statement_for_turn,
    tours_of,
    tours_visible_to,
    withdraw_tour,
)

FIELD_BLOCKS = {
    "employee": BLOCK_TOUR_EMPLOYEE,
    "tour_type": BLOCK_TOUR_TYPE,
    "objective": BLOCK_TOUR_OBJECTIVE,
    "start_date": BLOCK_TOUR_START,
    "end_date": BLOCK_TOUR_END,
    "success_company": BLOCK_TOUR_SUCCESS_COMPANY,
    "success_employee": BLOCK_TOUR_SUCCESS_EMPLOYEE,
    "cadence_weeks": BLOCK_TOUR_CADENCE,
}
NOTICE = "tour_notice"  # context key: what the ack decided, for the work after it


def register(app: App, deps: Deps) -> None:
    app.view(VIEW_TOUR_STATEMENT)(
        acknowledged(handle_view_tour_statement, notify_after_statement, deps)
    )
    for action_id, work in (
        (ACTION_TOUR_ACCEPT, handle_action_tour_accept),
        (ACTION_TOUR_SUGGEST, handle_action_tour_suggest),
        (ACTION_TOUR_SUCCESS_CHAT, handle_action_tour_success_chat),
        (ACTION_TOUR_WITHDRAW, handle_action_tour_withdraw),
    ):
        app.action(action_id)(acknowledged(acknowledge, work, deps))


# --- /alliance tour -------------------------------------------------------------------------

TOUR_USAGE = (
    "Try `/alliance tour` (your tours), `/alliance tour new @person` (propose one, add `guided` "
    "to be walked through it), `/alliance tour @person` or `/alliance tour export`."
)
REFUSAL = (
    "You can see the tours of people you manage. If you think you should see this one, "
    "ask your Alliance admin."
)


def answer_tour(inv: Invocation) -> Reply:
    words = inv.args.lower().split()
    today = inv.deps.clock().date()
    if not words:
        mine = tours_of(inv.deps.database, inv.team_id, inv.user_id)
        title = "Your tours of duty"
        return Reply(build_tour_list(title, mine, today, NO_TOURS_YET), text=title)
    if words[0] == "new":
        if "guided" in words[1:]:
            if mentioned_user(inv.args) is None:
                return say("Who is the tour for? Try `/alliance tour new @dana guided`.")
            return say("I've sent you a DM: let's write the statement together there.")
        return Reply()  # the modal opens after the ack
    if words[0] == "export":
        return say("I'm preparing your Statement of Alliance; it will arrive in a DM.")
    subject = mentioned_user(inv.args)
    if subject is None:
        return say(f"I didn't understand `{escape_mrkdwn(inv.args[:40])}`. {TOUR_USAGE}")
    visible = tours_visible_to(
        inv.deps.database,
        inv.team_id,
        viewer_user_id=inv.user_id,
        subject_user_id=subject,
        viewer_is_admin=inv.user_id in inv.deps.admins,
    )
    if visible is None:
        return say(REFUSAL)
    title = Mrkdwn("Tours of ") + mention(subject)
    return Reply(build_tour_list(title, visible, today, "They have no tours yet."), text=title)


NO_TOURS_YET = (
    "You don't have a tour of duty yet. Your manager proposes one with "
    "`/alliance tour new @you`; you then accept it or suggest changes."
)


def follow_up_tour(inv: Invocation, client: WebClient, respond: Respond) -> None:
    words = inv.args.lower().split()
    if not words or words[0] not in ("new", "export"):
        return
    if words[0] == "export":
        _send_export(inv, client, respond)
        return
    employee = mentioned_user(inv.args)
    if employee is not None:
        remember_person(
            inv.deps.database,
            team_id=inv.team_id,
            user_id=employee,
            now=inv.deps.clock(),
            fetch=fetch_profile(client, inv.team_id),
        )
    if "guided" in words[1:] and employee is not None:
        _start_guided(inv, employee, client, respond)
        return
    client.views_open(
        trigger_id=inv.trigger_id,
        view=build_statement_modal(ModalPurpose(), employee_user_id=employee, draft=None),
    )


def _start_guided(inv: Invocation, employee: str, client: WebClient, respond: Respond) -> None:
    with inv.deps.database.session() as session:
        problem = check_employee(
            session, team_id=inv.team_id, manager_user_id=inv.user_id, employee_user_id=employee
        )
        manager_id = _person_id(session, inv.team_id, inv.user_id)
    if problem:
        respond(text=problem, response_type="ephemeral")
        return
    start_conversation(
        inv.deps.database,
        person_id=manager_id,
        team_id=inv.team_id,
        flow=FlowName.TOUR_GUIDED,
        now=inv.deps.clock(),
        channel_id=inv.user_id,
        context={"employee_user_id": employee},
    )
    client.chat_postMessage(
        channel=inv.user_id,
        text=Mrkdwn(
            "Let's write a Statement of Alliance for {}, one question at a time. "
            "A tour of duty is an explicit mission with an end date, agreed by both of you."
        ).format(mention(employee)),
    )
    ask(client, inv.user_id, TOUR_GUIDED_FLOW, 0)


def _person_id(session: Session, team_id: str, user_id: str) -> int:
    person = get_person(session, team_id, user_id)
    assert person is not None, "the requester is remembered before any follow-up"
    return person.id


def _send_export(inv: Invocation, client: WebClient, respond: Respond) -> None:
    mine = tours_of(inv.deps.database, inv.team_id, inv.user_id)
    if not mine:
        respond(text=NO_TOURS_YET, response_type="ephemeral")
        return
    statement = mine[0]
    document = render_statement_markdown(
        StatementDocument(
            employee_name=statement.employee_name,
            manager_name=statement.manager_name,
            company_name=_team_name(client),
            tour_type_label=statement.tour_type.label,
            tour_type_explanation=statement.tour_type.explanation,
            objective=statement.objective,
            start_date=statement.start_date,
            end_date=statement.end_date,
            success_company=statement.success_company,
            success_employee=statement.success_employee,
            cadence_weeks=statement.cadence_weeks,
            status_label=statement.status.value,
            version_no=statement.version_no,
        )
    )
    send_file_in_dm(
        client,
        inv.user_id,
        content=document,
        filename="statement-of-alliance.md",
        title="Statement of Alliance",
        comment="Here is your Statement of Alliance.",
    )


def _team_name(client: WebClient) -> str:
    return str(client.auth_test().get("team") or "")


SUBCOMMAND = SubcommandHandler(answer=answer_tour, follow_up=follow_up_tour)


# --- the statement modal --------------------------------------------------------------------


def draft_from_state(values: dict[str, Any]) -> TourDraft:
    """What the person entered in the modal, whatever Slack sent (missing fields are empty)."""

    tour_type = picked_option(values, BLOCK_TOUR_TYPE)
    cadence = picked_option(values, BLOCK_TOUR_CADENCE)
    return TourDraft(
        tour_type=TourType(tour_type) if tour_type in set(TourType) else None,
        objective=typed_text(values, BLOCK_TOUR_OBJECTIVE),
        start_date=picked_date(values, BLOCK_TOUR_START),
        end_date=picked_date(values, BLOCK_TOUR_END),
        success_company=typed_text(values, BLOCK_TOUR_SUCCESS_COMPANY),
        success_employee=typed_text(values, BLOCK_TOUR_SUCCESS_EMPLOYEE),
        cadence_weeks=int(cadence) if cadence.isdigit() else 0,
    )


def handle_view_tour_statement(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    *,
    deps: Deps,
) -> None:
    """Check the statement in the ack; errors go back to the right field of the open modal."""
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    values = view.get("state", {}).get("values", {})
    draft = draft_from_state(values)
    purpose = ModalPurpose.from_metadata(view.get("private_metadata", ""))
    errors = {FIELD_BLOCKS[name]: text for name, text in draft_problems(draft).items()}
    employee = str(input_state(values, BLOCK_TOUR_EMPLOYEE).get("selected_user") or "")
    if purpose.tour_id is None and not employee:
        errors[BLOCK_TOUR_EMPLOYEE] = "Choose who the tour is for."
    if errors:
        ack(response_action="errors", errors=errors)
        return
    now = deps.clock()
    try:
        if purpose.tour_id is None:
            for person in (user_id, employee):
                remember_person(
                    deps.database,
                    team_id=team_id,
                    user_id=person,
                    now=now,
                    fetch=fetch_profile(quick_client(client), team_id),
                )
            ref = propose_tour(
                deps.database,
                team_id=team_id,
                manager_user_id=user_id,
                employee_user_id=employee,
                draft=draft,
                source=VersionSource.FORM,
                now=now,
                admins=deps.admins,
                hours=deps.working_hours,
                follows_tour_id=purpose.follows_tour_id,
            )
        else:
            ref = revise_tour(
                deps.database,
                tour_id=purpose.tour_id,
                version_no=purpose.version_no or 0,
                by_user_id=user_id,
                draft=draft,
                source=VersionSource.SUGGEST,
                now=now,
            )
    except TourRefusal as refusal:
        block = FIELD_BLOCKS.get(refusal.field or "", BLOCK_TOUR_TYPE)
        if purpose.tour_id is not None:
            block = BLOCK_TOUR_TYPE
        ack(response_action="errors", errors={block: refusal.message})
        return
    context[NOTICE] = {"tour_id": ref.tour_id, "version_no": ref.version_no}
    ack()


def notify_after_statement(context: BoltContext, client: WebClient, *, deps: Deps) -> None:
    notice = context.get(NOTICE)
    if notice:
        statement = get_statement(deps.database, notice["tour_id"], notice["version_no"])
        assert statement is not None
        send_for_agreement(client, statement, deps)


def send_for_agreement(client: WebClient, statement: TourStatement, deps: Deps) -> None:
    """The awaited side gets the version with its buttons; the proposer, a confirmation."""
    awaited = statement.awaiting or Side.EMPLOYEE
    proposer_side = awaited.other
    recipient = _user(statement, awaited)
    proposer_name = _name(statement, proposer_side)
    if statement.version_no == 1:
        lead = (
            f"*{escape_mrkdwn(proposer_name)}* proposes a tour of duty for you. Read it "
            "through: accept it, suggest changes, or tell me what success means for you."
        )
    else:
        lead = (
            f"*{escape_mrkdwn(proposer_name)}* sent version {statement.version_no} of your "
            "Statement of Alliance. Accept it, or revise it again."
        )
    client.chat_postMessage(
        channel=recipient,
        text=f"{escape_mrkdwn(proposer_name)} sent you a Statement of Alliance to review.",
        blocks=build_proposal_message(statement, awaited, lead),
    )
    client.chat_postMessage(
        channel=_user(statement, proposer_side),
        text=(
            f"I've sent version {statement.version_no} of the statement to "
            f"{escape_mrkdwn(_name(statement, awaited))}. I'll let you know when they answer."
        ),
    )
    refresh_homes(client, deps, statement)


def refresh_homes(client: WebClient, deps: Deps, statement: TourStatement) -> None:
    """Both parties' Home tabs show the tour, so both are drawn again when it changes."""
    for user_id in (statement.employee_user_id, statement.manager_user_id):
        publish_home(client, deps, statement.team_id, user_id)


def _user(statement: TourStatement, side: Side) -> str:
    return statement.employee_user_id if side is Side.EMPLOYEE else statement.manager_user_id


def _name(statement: TourStatement, side: Side) -> str:
    return statement.employee_name if side is Side.EMPLOYEE else statement.manager_name


# --- buttons on a proposal ------------------------------------------------------------------


def _pressed(body: dict[str, Any]) -> tuple[int, int]:
    tour_id, _, version_no = body["actions"][0]["value"].partition(":")
    return int(tour_id), int(version_no)


def when_it_starts(agreement: Agreement, start_date: date, today: date) -> str:
    """The agreement's sentence on when the tour runs: a backdated tour is not new today."""
    if agreement is not Agreement.ACTIVE:
        return f"It starts on {start_date:%-d %B %Y}."
    if start_date < today:
        return f"It has been active since {start_date:%-d %B %Y}."
    return "It is active from today."


def handle_action_tour_accept(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    tour_id, version_no = _pressed(body)
    user_id = body["user"]["id"]
    now = deps.clock()
    try:
        ref, agreement = accept_tour(
            deps.database,
            tour_id=tour_id,
            version_no=version_no,
            by_user_id=user_id,
            now=now,
            today=now.date(),
            hours=deps.working_hours,
        )
    except TourRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    statement = get_statement(deps.database, ref.tour_id)
    assert statement is not None
    _settle_message(client, body, statement, f"You accepted version {version_no}.")
    starts = when_it_starts(agreement, statement.start_date, now.date())
    for side in Side:
        other = escape_mrkdwn(_name(statement, side.other))
        client.chat_postMessage(
            channel=_user(statement, side),
            text=(
                f":handshake: You and {other} agreed your Statement of Alliance (version "
                f"{version_no}). {starts} Type `/alliance tour` to see it any time."
            ),
        )
    refresh_homes(client, deps, statement)


def handle_action_tour_suggest(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    tour_id, version_no = _pressed(body)
    try:
        statement, side = statement_for_turn(
            deps.database, tour_id=tour_id, version_no=version_no, user_id=body["user"]["id"]
        )
    except TourRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=build_statement_modal(
            ModalPurpose(tour_id, version_no),
            employee_user_id=None,
            draft=statement.draft(),
            counterpart=_name(statement, side.other),
        ),
    )


def handle_action_tour_success_chat(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    tour_id, version_no = _pressed(body)
    user_id = body["user"]["id"]
    try:
        _, side = statement_for_turn(
            deps.database, tour_id=tour_id, version_no=version_no, user_id=user_id
        )
        if side is not Side.EMPLOYEE:
            raise TourRefusal(NOT_YOURS)
    except TourRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    team_id = body["team"]["id"]
    with deps.database.session() as session:
        person_id = _person_id(session, team_id, user_id)
    start_conversation(
        deps.database,
        person_id=person_id,
        team_id=team_id,
        flow=FlowName.TOUR_SUCCESS,
        now=deps.clock(),
        channel_id=user_id,
        context={"tour_id": tour_id, "version_no": version_no},
    )
    client.chat_postMessage(
        channel=user_id,
        text=(
            "Let's put what success means for *you* into the statement, one question at a time. "
            "Your answers become your proposed revision, which goes to your manager."
        ),
    )
    ask(client, user_id, TOUR_SUCCESS_FLOW, 0)


def handle_action_tour_withdraw(
    body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps
) -> None:
    tour_id, _ = _pressed(body)
    try:
        withdraw_tour(
            deps.database, tour_id=tour_id, by_user_id=body["user"]["id"], now=deps.clock()
        )
    except TourRefusal as refusal:
        respond(text=refusal.message, response_type="ephemeral", replace_original=False)
        return
    statement = get_statement(deps.database, tour_id)
    assert statement is not None
    _settle_message(client, body, statement, "You withdrew this proposal.")
    client.chat_postMessage(
        channel=statement.employee_user_id,
        text=(
            f"{statement.manager_name} withdrew the proposed tour of duty. Nothing for you to do."
        ),
    )
    refresh_homes(client, deps, statement)


def _settle_message(
    client: WebClient, body: dict[str, Any], statement: TourStatement, outcome: str
) -> None:
    """Replace the buttons on the message that was acted on with what happened."""
    container = body.get("container") or {}
    if container.get("type") == "message":
        client.chat_update(
            channel=container["channel_id"],
            ts=container["message_ts"],
            text=outcome,
            blocks=build_outcome_message(statement, outcome),
        )


# --- the tour conversations -----------------------------------------------------------------


def complete_success_chat(progress: Progress, client: WebClient, deps: Deps) -> None:
    """The employee's words on success become their proposed revision."""
    answers = progress.turn.state.answers
    current = get_statement(deps.database, progress.context["tour_id"])
    assert current is not None
    draft = TourDraft(
        current.tour_type,
        current.objective,
        current.start_date,
        add_months(current.start_date, answers["months"]),
        current.success_company,
        success_text(answers) or current.success_employee,
        current.cadence_weeks,
    )
    _propose_from_conversation(
        progress,
        client,
        deps,
        lambda: revise_tour(
            deps.database,
            tour_id=current.tour_id,
            version_no=progress.context["version_no"],
            by_user_id=progress.user_id,
            draft=draft,
            source=VersionSource.SUCCESS_CHAT,
            now=deps.clock(),
            employee_success=answers,
        ),
    )


def complete_guided(progress: Progress, client: WebClient, deps: Deps) -> None:
    """The manager's answers become the first version, sent to the employee."""
    draft = guided_draft(progress.turn.state.answers)
    _propose_from_conversation(
        progress,
        client,
        deps,
        lambda: propose_tour(
            deps.database,
            team_id=progress.team_id,
            manager_user_id=progress.user_id,
            employee_user_id=progress.context["employee_user_id"],
            draft=draft,
            source=VersionSource.GUIDED,
            now=deps.clock(),
            admins=deps.admins,
            hours=deps.working_hours,
        ),
    )


def _propose_from_conversation(
    progress: Progress, client: WebClient, deps: Deps, propose: Any
) -> None:
    try:
        ref = propose()
    except TourRefusal as refusal:
        client.chat_postMessage(
            channel=progress.user_id, text=f"I couldn't send that statement: {refusal.message}"
        )
        return
    statement = get_statement(deps.database, ref.tour_id, ref.version_no)
    assert statement is not None
    send_for_agreement(client, statement, deps)


FLOWS: dict[FlowName, Flow] = {
    FlowName.TOUR_SUCCESS: TOUR_SUCCESS_FLOW,
    FlowName.TOUR_GUIDED: TOUR_GUIDED_FLOW,
}
COMPLETIONS: dict[FlowName, Completion] = {
    FlowName.TOUR_SUCCESS: complete_success_chat,
    FlowName.TOUR_GUIDED: complete_guided,
}
