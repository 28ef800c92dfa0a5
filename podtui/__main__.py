from podtui.cli import main

raise SystemExit(main())
