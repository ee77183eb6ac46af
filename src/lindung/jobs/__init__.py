"""Long work (a bulk import, a bill run) as jobs: who started it, how far it is, how it ended."""
