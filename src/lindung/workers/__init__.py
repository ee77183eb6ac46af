"""Workers: the registry of people identified by NIK, their occupation and heirs."""
