"""The dashboard's summary tables, kept current by the services that change the data (``cells``)."""
