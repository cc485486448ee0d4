"""Rules for the public pages, the residents' survey, sign-in and fieldwork (interview mode)."""

from tests.access import EVERYONE, RESEARCH, STAFF, Rule

RULES = [
    Rule("pages.home", "GET", "/", EVERYONE),
    Rule("pages.accessibility", "GET", "/accessibility", EVERYONE),
    Rule("pages.privacy", "GET", "/privacy", EVERYONE),
    Rule("residents.consent", "GET", "/s/{campaign_own}", EVERYONE),
    Rule("residents.start", "POST", "/s/{campaign_own}/start", EVERYONE),
    Rule("residents.page", "GET", "/s/{campaign_own}/page/1", EVERYONE),
    Rule("residents.page", "POST", "/s/{campaign_own}/page/1", EVERYONE),
    Rule("residents.saved", "GET", "/s/{campaign_own}/saved", EVERYONE),
    Rule("residents.resume", "GET", "/s/{campaign_own}/resume", EVERYONE),
    Rule("residents.resume", "POST", "/s/{campaign_own}/resume", EVERYONE),
    Rule("residents.done", "GET", "/s/{campaign_own}/done", EVERYONE),
    Rule("auth.login", "GET", "/login", EVERYONE),
    Rule("auth.login", "POST", "/login", EVERYONE),
    Rule("auth.password", "GET", "/account/password", STAFF),
    Rule("auth.password", "POST", "/account/password", STAFF),
    Rule("auth.reset", "GET", "/reset/{reset_token}", EVERYONE),
    Rule("auth.reset", "POST", "/reset/{reset_token}", EVERYONE),
    Rule("auth.logout", "POST", "/logout", STAFF),
    Rule("fieldwork.home", "GET", "/fieldwork/", STAFF),
    Rule("fieldwork.start_interview", "POST", "/fieldwork/interview/{campaign_own}/start", STAFF),
    Rule("fieldwork.start_interview", "POST", "/fieldwork/interview/{campaign_other}/start", RESEARCH),
    Rule("fieldwork.interview_page", "GET", "/fieldwork/interview/{interview_own}/page/1", STAFF),
    Rule("fieldwork.interview_page", "POST", "/fieldwork/interview/{interview_own}/page/1", STAFF),
    Rule("fieldwork.interview_page", "GET", "/fieldwork/interview/{interview_other}/page/1", RESEARCH),
    Rule("fieldwork.interview_page", "POST", "/fieldwork/interview/{interview_other}/page/1", RESEARCH),
    Rule("fieldwork.interview_done", "GET", "/fieldwork/interview/{interview_own}/done", STAFF),
    Rule("fieldwork.interview_done", "GET", "/fieldwork/interview/{interview_other}/done", RESEARCH),
]
