from pages_roadmap.cli import main

raise SystemExit(main())
