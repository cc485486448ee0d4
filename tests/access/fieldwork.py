"""Rules for the interview consent page, resuming and discarding unfinished interviews."""

from __future__ import annotations

from tests.access import RESEARCH, STAFF, Rule

RULES = [
    Rule("fieldwork.start_interview", "GET", "/fieldwork/interview/{campaign_own}/start", STAFF),
    Rule("fieldwork.start_interview", "GET", "/fieldwork/interview/{campaign_other}/start", RESEARCH),
    Rule("fieldwork.resume_interview", "GET", "/fieldwork/interview/{interview_own}/resume", STAFF),
    Rule("fieldwork.resume_interview", "GET", "/fieldwork/interview/{interview_other}/resume", RESEARCH),
    Rule("fieldwork.discard", "GET", "/fieldwork/interview/{interview_own}/discard", STAFF),
    Rule("fieldwork.discard", "GET", "/fieldwork/interview/{interview_other}/discard", RESEARCH),
    # A POST without the confirmation field (as the matrix sends) only asks again, so the row survives every role.
    Rule("fieldwork.discard", "POST", "/fieldwork/interview/{interview_own}/discard", STAFF),
    Rule("fieldwork.discard", "POST", "/fieldwork/interview/{interview_other}/discard", RESEARCH),
]
