"""`python -m openbeat.social.standins <network> [--host 127.0.0.1] [--port N]`: run one stand-in until stopped."""

from __future__ import annotations

import argparse

from openbeat.social.standins import MODULES, make_standin, url_prefix
from openbeat.social.standins.base import make_server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a social network's local stand-in API server.")
    parser.add_argument("network", choices=sorted(MODULES))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    args = parser.parse_args(argv)
    standin = make_standin(args.network)
    server = make_server(standin, host=args.host, port=args.port, prefix=url_prefix(args.network))
    print(f"{args.network} stand-in at {standin.base_url} (control: /_standin/state, /_standin/fail)", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
