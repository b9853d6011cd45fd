"""The console's pages, one blueprint per kind of user (people: log-in and the home page)."""
