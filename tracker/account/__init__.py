"""The signed-in user's own account page (language, notices, calendar address, password)
and single sign-on (sso.py). Password links and account mails live in accounts/."""
