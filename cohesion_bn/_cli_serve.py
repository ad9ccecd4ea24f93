"""``cohesion-bn serve STUDY``: run the elicitation workshop web app (thin: parse, call)."""

from __future__ import annotations

import argparse
import ipaddress
import socket
from typing import Any

__all__ = ["add_serve_parser", "reachable_host"]

DEFAULT_PORT = 8765


def reachable_host(host: str) -> str:
    """The address to put in the links for a server bound to ``host``.

    A wildcard (``0.0.0.0``, ``::``, empty) becomes this machine's address on its outgoing
    network (found by routing a UDP socket, which sends nothing), else its host name; a
    specific address or name is used as given.
    """
    if host in ("", "0.0.0.0", "::"):
        family = socket.AF_INET6 if host == "::" else socket.AF_INET
        probe = "2001:db8::1" if family == socket.AF_INET6 else "192.0.2.1"
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                addr = str(s.getsockname()[0])
            if not ipaddress.ip_address(addr).is_loopback:
                return addr
        except OSError:
            pass
        return socket.gethostname()
    return host


def _url(host: str, port: int) -> str:
    h = reachable_host(host)
    if ":" in h and not h.startswith("["):
        h = f"[{h}]"
    return f"http://{h}:{port}"


def _cmd_serve(args: argparse.Namespace) -> int:
    from .app.server import Workshop, create_app, serve

    ws = Workshop.open(args.study, store=args.store)
    app = create_app(ws)

    def ready(port: int) -> None:
        base = _url(args.host, port)
        print(f"{ws.study.title}: round {ws.state.round} "
              f"({'open' if ws.state.is_open else 'closed'})")
        print(f"store: {ws.store.path}")
        print(f"links (secret; kept in {ws.state.path}):")
        print(f"  {'facilitator':<13} {base}/f/{ws.state.facilitator_token}/")
        for e in ws.study.expert_ids:
            print(f"  {'expert ' + e:<13} {base}/e/{ws.state.expert_token(e)}/")
        if args.host in ("127.0.0.1", "localhost", "::1"):
            print("Only this computer can open these links; use --host 0.0.0.0 to open "
                  "them on the workshop network.")
        print("Press Ctrl+C to stop (every saved answer is already in the store).",
              flush=True)

    try:
        serve(app, host=args.host, port=args.port, threads=args.threads, ready=ready)
    except KeyboardInterrupt:
        print("stopped")
    return 0


def add_serve_parser(sub: Any) -> None:
    """Add ``serve`` to the CLI's subparsers."""
    p = sub.add_parser("serve", help="run the elicitation workshop web app for a study")
    p.add_argument("study", metavar="STUDY.yaml", help="the study definition file")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this computer only; "
                        "0.0.0.0 opens it on the workshop network)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--store", default=None,
                   help="the study's answer store (default: <study id>.sqlite beside it)")
    p.add_argument("--threads", type=int, default=16, help="server threads (default 16)")
    p.set_defaults(func=_cmd_serve)
