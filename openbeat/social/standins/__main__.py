"""`python -m openbeat.social.standins <network> [--host 127.0.0.1] [--port N]`: run one stand-in until stopped.

`python -m openbeat.social.standins demo`: all four, each on its demo port (DEMO_PORTS), in one process: what
scripts/run.sh starts for the demo force's accounts.
"""

from __future__ import annotations

import argparse
import threading

from openbeat.social.standins import DEMO_HOST, DEMO_PORTS, MODULES, make_standin, url_prefix
from openbeat.social.standins.base import make_server


def _run_demo() -> None:
    servers = []
    for network, port in DEMO_PORTS.items():
        standin = make_standin(network)
        server = make_server(standin, host=DEMO_HOST, port=port, prefix=url_prefix(network))
        servers.append(server)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        print(f"{network} stand-in at {standin.base_url}", flush=True)
    try:
        threading.Event().wait()  # until interrupted; the servers' threads serve meanwhile
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a social network's local stand-in API server.")
    parser.add_argument("network", choices=[*sorted(MODULES), "demo"], help="demo: all four on the demo's ports")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    args = parser.parse_args(argv)
    if args.network == "demo":
        _run_demo()
        return
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
