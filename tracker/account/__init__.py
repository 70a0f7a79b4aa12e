"""The signed-in user's own account page: language, notices, calendar address."""
