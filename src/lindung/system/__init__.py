"""The installation itself: which database is in use and what it holds (``lindung db info``)."""
