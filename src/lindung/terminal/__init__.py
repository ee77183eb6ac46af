"""The command line's own plumbing (the door the ``lindung`` command is): options, who acts, output,
errors said in the user's language. Domains never import it; each domain's ``cli.py`` does."""
