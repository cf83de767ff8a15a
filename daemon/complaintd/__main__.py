"""Allow ``python -m complaintd``."""

from complaintd.cli.main import main

raise SystemExit(main())
