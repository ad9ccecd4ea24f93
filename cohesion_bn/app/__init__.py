"""The elicitation workshop web app: ``cohesion-bn serve STUDY``.

A facilitator runs Delphi-style rounds with a panel (the IDEA protocol): each expert opens
a personal secret link on their own laptop and answers the questions for their nodes, one
node at a time; the facilitator's own secret link shows who has answered what, the pooled
CPTs, the disagreement ranking and the effect on the scenario posteriors as answers
arrive, opens and closes rounds, and exports the pooled model file. Every save goes to the
study's store (:class:`~cohesion_bn.elicitation.store.Store`) at once, so closing a
browser or restarting the server loses nothing saved. The app checks, pools and writes
back with the elicitation modules themselves (see :mod:`.logic`); it has no second copy.

**Why Flask** (with Jinja2 templates, a little vanilla JavaScript shipped in the package,
and the waitress server). Flask is the long-standing, well-kept Pallets framework, and it
fits what this app is: a handful of server-rendered multi-user forms and one polled
dashboard. Its views are synchronous, as the store (SQLite), pgmpy and the pooling code
are, so no async wrappers or thread-pool hand-offs are needed; Jinja2 escapes every value
by default (experts' rationales are untrusted text); forms work without JavaScript, and
the script only adds live help (sums, verbal labels, the ranked-node preview) and the
dashboard's polling, so nothing is fetched from a CDN and the app works offline on a
workshop network. Flask's test client drives every route in the server-side tests without
a network. Waitress is a pure-Python, production-grade WSGI server (thread pool, no C
extension, runs on Linux, macOS and Windows), so ``serve`` does not rely on Werkzeug's
development server. FastAPI/Starlette would add an async layer this app does not need;
Shiny or Dash are built for data dashboards rather than per-user secret forms.

Modules: :mod:`.state` (tokens, round, submissions, in ``<store stem>.app.json`` beside
the store), :mod:`.logic` (what is computed), :mod:`.server` (routes, :func:`create_app`,
:class:`~.server.Workshop`).
"""

from __future__ import annotations

__all__ = ["Workshop", "create_app"]

from .server import Workshop, create_app
