"""``python -m crawler.demo_site --port 8765``: serve the demo news site until Ctrl-C."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time

from crawler.demo_site.server import DEFAULT_SLOW_DELAY, DemoSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.demo_site", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)"
    )
    parser.add_argument("--edition", type=int, default=1, choices=(1, 2))
    parser.add_argument(
        "--slow-delay",
        type=float,
        default=DEFAULT_SLOW_DELAY,
        help="seconds /broken/slow waits before answering",
    )
    parser.add_argument("--print-sources", action="store_true", help="print sources() as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    site = DemoSite(edition=args.edition, slow_delay=args.slow_delay)
    try:
        site.start(args.port)
    except OSError as e:
        print(f"demo site: cannot listen on 127.0.0.1:{args.port}: {e}", file=sys.stderr)
        return 1
    print(f"demo site (edition {args.edition}) at {site.base_url}/  - Ctrl-C to stop", flush=True)
    if args.print_sources:
        print(json.dumps(site.sources(), indent=1), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
