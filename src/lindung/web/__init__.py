"""The web pages: Jinja2 templates with htmx over the same services as the command line and the API."""
