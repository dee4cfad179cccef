"""Stage 4, checks: the template's arithmetic (``arithmetic``: identities, repairs kept apart from the values),
what the report's prose says against its tables (``narrative``), and the years of one issuer (``crossyear``)."""
