"""The Kabupaten Bekasi demo (``lindung demo``, docs/demo.md): its story's facts (``data``), loaded through
the services as its own users (``build``), billed up to today (``billing``), the tour's facts (``tour``),
the regency's follow-up file to import (``sample_file``) and the command (``cli``)."""
