"""Figures without people: counts a regional government viewer, a sponsor or the branch may read."""
