"""The HTTP door: a FastAPI app under ``/api/v1`` on the same services as the command line."""
