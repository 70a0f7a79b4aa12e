"""The home page: what each role sees first, summarised from the domains below it."""
