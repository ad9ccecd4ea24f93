"""The Flask application: routes for experts (``/e/<token>/...``) and the facilitator
(``/f/<token>/...``). Build it with :func:`create_app`; serve it with :func:`serve`."""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from ..elicitation.questions import SPREAD_SCALE, VERBAL_SCALE, Question
from ..elicitation.store import Store
from ..elicitation.study import Study, load_study
from . import logic
from .state import WorkshopState, state_path_for

__all__ = ["BackgroundServer", "Workshop", "create_app", "default_store_path", "serve"]

_HERE = Path(__file__).resolve().parent

_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def default_store_path(study: Study) -> Path:
    """The CLI's default store: ``<study id>.sqlite`` beside the study file."""
    return Path(study.path).parent / f"{study.id}.sqlite"


@dataclass
class Workshop:
    """One study's workshop: the study, its store and the app state (tokens, round)."""

    study: Study
    store: Store
    state: WorkshopState

    @classmethod
    def open(cls, study_path: str | Path, *, store: str | Path | None = None,
             state: str | Path | None = None) -> Workshop:
        """Load the study, open (or create) its store and the state file beside it."""
        s = load_study(study_path)
        store_path = Path(store) if store is not None else default_store_path(s)
        st = Store(store_path, study=s.id)
        state_path = Path(state) if state is not None else state_path_for(store_path)
        ws = WorkshopState(state_path, study=s.id, experts=s.expert_ids, first_round=s.round)
        return cls(s, st, ws)


class _DashboardCache:
    """The facilitator's dashboard, recomputed only when the store or round changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._value: logic.Dashboard | None = None

    def get(self, ws: Workshop, pool: tuple[Any, Any] = ("linear", "equal")) -> logic.Dashboard:
        """The dashboard for ``pool`` = (method, weights) from :func:`logic.pool_choice`."""
        with self._lock:
            rows = ws.store.history()
            key = (len(rows), rows[-1].id if rows else 0, ws.state.round, pool)
            if self._value is None or key != self._key:
                self._value = logic.dashboard(ws.study, ws.store, ws.state.round,
                                              method=pool[0], weights=pool[1])
                self._key = key
            return self._value


def _fmt(x: Any, digits: int = 3) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "" if x is None else str(x)
    if v != v:  # NaN
        return "–"
    return f"{v:.{digits}f}"


def _pretty(x: Any) -> str:
    """An answer's value as short text."""
    if isinstance(x, dict):
        return ", ".join(f"{k} {_fmt(v, 2)}" for k, v in x.items())
    if isinstance(x, list):
        return " < ".join(f"{v:g}" if isinstance(v, int | float) else str(v) for v in x)
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


def create_app(workshop: Workshop) -> Flask:
    """The Flask app serving ``workshop``. Nothing runs until a server calls it."""
    app = Flask("cohesion_bn.app", template_folder=str(_HERE / "templates"),
                static_folder=str(_HERE / "static"), static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    app.jinja_env.filters["fmt"] = _fmt
    app.jinja_env.filters["pretty"] = _pretty
    app.jinja_env.globals["field_name"] = logic.field_name
    app.jinja_env.globals["fields_of"] = logic.fields_of
    ws = workshop
    study = ws.study
    model = study.model
    cache = _DashboardCache()
    app.extensions["workshop"] = ws

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = _CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["X-Frame-Options"] = "DENY"
        if not request.path.startswith("/static/"):
            resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[str, int]:
        code = exc.code or 500
        return render_template("error.html", code=code, name=exc.name,
                               message=exc.description if code != 403 else
                               "This link is not valid. Ask the facilitator for yours."), code

    def expert_of(token: str) -> str:
        e = ws.state.expert_for(token)
        if e is None:
            abort(403)
        return e

    def facilitator(token: str) -> None:
        if not ws.state.is_facilitator(token):
            abort(403)

    # ------------------------------------------------------------------ pages
    @app.get("/")
    @app.get("/e/")
    @app.get("/f/")
    def index() -> tuple[str, int]:
        return render_template("error.html", code=403, name="Forbidden",
                               message="Open the link the facilitator gave you."), 403

    def node_info(nid: str) -> dict[str, Any]:
        if nid == "seed":
            return {"id": "seed", "label": "Calibration questions",
                    "description": "Questions about quantities with a known answer (or, for "
                    "a target item, none yet), used to weigh the experts (Cooke's classical "
                    "model). Give three numbers per question: a low value you are 90% sure "
                    "the true value is above, your median, and a high value you are 90% sure "
                    "it is below.", "parents": [], "states": [], "method": ""}
        n = model.spec.node(nid)
        return {"id": nid, "label": model.label(nid), "description": n.description,
                "parents": [model.label(p) for p in n.parents], "states": list(n.states),
                "method": n.cpt.method}

    def my_answers(expert: str, rnd: int) -> dict[str, Any]:
        return {a.question: a for a in ws.store.latest(round=rnd, expert=expert)}

    def progress(expert: str) -> list[dict[str, Any]]:
        groups = logic.node_questions(study, expert)
        mine = my_answers(expert, ws.state.round)
        return [{"id": nid, "label": node_info(nid)["label"],
                 "answered": sum(q.id in mine for q in qs), "total": len(qs)}
                for nid, qs in groups.items()]

    def common(token: str, expert: str) -> dict[str, Any]:
        return {"token": token, "expert": expert, "study": study, "round": ws.state.round,
                "open": ws.state.is_open, "submitted": expert in ws.state.submitted()}

    @app.get("/e/<token>/")
    def expert_home(token: str) -> str:
        expert = expert_of(token)
        prog = progress(expert)
        any_answer = bool(ws.store.latest(expert=expert))
        return render_template("expert_home.html", **common(token, expert), nodes=prog,
                               first_time=not any_answer, store_name=ws.store.path.name)

    def render_node(token: str, expert: str, nid: str, *, checked: logic.Checked | None = None,
                    form: Any = None, saved: str = "", status: int = 200) -> tuple[str, int]:
        groups = logic.node_questions(study, expert)
        qs = groups[nid]
        rnd = ws.state.round
        mine = my_answers(expert, rnd)
        earlier = my_answers(expert, rnd - 1) if rnd > 1 else {}
        spread = logic.round_spread(ws.store, rnd - 1, qs) if rnd > 1 else {}
        values: dict[str, str] = {}
        rationales: dict[str, str] = {}
        for q in qs:
            a = mine.get(q.id) or earlier.get(q.id)
            rationales[q.id] = a.rationale if a is not None else ""
            if a is None:
                continue
            if q.kind == "distribution" and isinstance(a.value, dict):
                for s in q.states:
                    values[logic.field_name(q.id, s)] = f"{a.value.get(s, '')}"
            elif q.kind == "quantiles" and isinstance(a.value, list):
                for f, x in zip(logic.fields_of(q), a.value, strict=False):
                    values[logic.field_name(q.id, f)] = f"{x:g}"
            else:
                v = a.value
                values[logic.field_name(q.id, "value")] = f"{v:g}" if isinstance(
                    v, int | float) else str(v)
        if form is not None:  # show what was typed, not what is stored
            for q in qs:
                for f in logic.fields_of(q):
                    name = logic.field_name(q.id, f)
                    values[name] = str(form.get(name, ""))
                rationales[q.id] = str(form.get(logic.field_name(q.id, "rationale"), ""))
        order = list(groups)
        i = order.index(nid)
        ranked = [q for q in qs if q.kind == "weight"] and any(q.kind == "function" for q in qs)
        return render_template(
            "expert_node.html", **common(token, expert), node=node_info(nid), questions=qs,
            values=values, rationales=rationales, answered={q.id for q in qs if q.id in mine},
            carried={q.id for q in qs if q.id not in mine and q.id in earlier},
            errors=checked.errors if checked else {}, notes=checked.notes if checked else [],
            saved=saved, spread=spread, prev=order[i - 1] if i > 0 else None,
            next=order[i + 1] if i + 1 < len(order) else None, nodes=progress(expert),
            verbal=VERBAL_SCALE, spread_scale=SPREAD_SCALE, ranked=bool(ranked),
            number=i + 1, count=len(order)), status

    @app.get("/e/<token>/node/<nid>")
    def expert_node(token: str, nid: str) -> tuple[str, int]:
        expert = expert_of(token)
        if nid not in logic.node_questions(study, expert):
            abort(404)
        return render_node(token, expert, nid, saved=request.args.get("saved", ""))

    @app.post("/e/<token>/node/<nid>")
    def expert_save(token: str, nid: str) -> Any:
        expert = expert_of(token)
        groups = logic.node_questions(study, expert)
        if nid not in groups:
            abort(404)
        if not ws.state.is_open:
            abort(409, f"Round {ws.state.round} is closed: nothing was saved.")
        checked = logic.check_form(study, expert, ws.state.round, groups[nid], request.form)
        result = ws.store.add(checked.answers) if checked.answers else None
        saved = (f"{result.new} new, {result.revised} revised, {result.unchanged} unchanged"
                 if result is not None else "nothing to save")
        if checked.errors:
            return render_node(token, expert, nid, checked=checked, form=request.form,
                               saved=saved, status=422)
        order = list(groups)
        go = request.form.get("go", "")
        target = nid
        if go == "next" and order.index(nid) + 1 < len(order):
            target = order[order.index(nid) + 1]
        elif go == "summary":
            return redirect(url_for("expert_summary", token=token, saved=saved), code=303)
        return redirect(url_for("expert_node", token=token, nid=target, saved=saved), code=303)

    @app.post("/e/<token>/preview/<nid>")
    def expert_preview(token: str, nid: str) -> Response:
        expert = expert_of(token)
        groups = logic.node_questions(study, expert)
        if nid not in groups or not any(q.kind == "function" for q in groups[nid]):
            abort(404)
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("weights"), dict):
            abort(400, "send JSON {weights: {parent: number}, function, spread}")
        return jsonify(logic.ranked_preview(study, expert, nid, data["weights"],
                                            data.get("function"), data.get("spread")))

    @app.get("/e/<token>/summary")
    def expert_summary(token: str) -> str:
        expert = expert_of(token)
        groups = logic.node_questions(study, expert)
        mine = my_answers(expert, ws.state.round)
        rows: list[tuple[dict[str, Any], list[tuple[Question, Any]]]] = [
            (node_info(nid), [(q, mine.get(q.id)) for q in qs]) for nid, qs in groups.items()]
        missing = sum(a is None for _, qa in rows for _, a in qa)
        return render_template("expert_summary.html", **common(token, expert), rows=rows,
                               missing=missing, saved=request.args.get("saved", ""))

    @app.post("/e/<token>/submit")
    def expert_submit(token: str) -> Any:
        expert = expert_of(token)
        if not ws.state.is_open:
            abort(409, f"Round {ws.state.round} is closed.")
        ws.state.submit(expert)
        return redirect(url_for("expert_summary", token=token), code=303)

    # ------------------------------------------------------------------ facilitator
    def chosen_pool() -> tuple[Any, Any]:
        return logic.pool_choice(request.values.get("method"), request.values.get("weights"))

    @app.get("/f/<token>/")
    def facilitator_home(token: str) -> str:
        facilitator(token)
        method, weights = chosen_pool()
        return render_template("facilitator.html", token=token, study=study,
                               round=ws.state.round, open=ws.state.is_open,
                               exports=ws.state.exports, message=request.args.get("msg", ""),
                               method=method, weights=weights, pools=logic.POOLS,
                               has_seeds=bool(study.seeds))

    @app.get("/f/<token>/live")
    def facilitator_live(token: str) -> str:
        facilitator(token)
        d = cache.get(ws, chosen_pool())
        return render_template("facilitator_live.html", d=d, study=study, model=model,
                               round=ws.state.round, open=ws.state.is_open,
                               submitted=ws.state.submitted(),
                               all_experts=study.expert_ids)

    @app.post("/f/<token>/round")
    def facilitator_round(token: str) -> Any:
        facilitator(token)
        action = request.form.get("action", "")
        if action == "close":
            ws.state.close_round()
            msg = f"Round {ws.state.round} closed."
        elif action == "reopen":
            ws.state.reopen_round()
            msg = f"Round {ws.state.round} reopened."
        elif action == "next":
            msg = f"Round {ws.state.open_next_round()} opened."
        else:
            abort(400, "action must be close, reopen or next")
        return redirect(url_for("facilitator_home", token=token, msg=msg), code=303)

    @app.post("/f/<token>/export")
    def facilitator_export(token: str) -> Any:
        from ..elicitation.writeback import write_pooled_model

        facilitator(token)
        method, weights = chosen_pool()
        d = cache.get(ws, (method, weights))
        if d.pooled is None or not d.pooled.nodes:
            abort(409, "Nothing is pooled yet: no model to export."
                  + (f" ({d.error})" if d.error else ""))
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = ws.store.path.parent
        base = f"{study.id}_pooled_round{ws.state.round}_{stamp}"
        for i in range(1000):
            path = folder / (base + (f"_{i}" if i else "") + ".yaml")
            try:
                write_pooled_model(model, d.pooled, path, study=study.id)
            except FileExistsError:
                continue
            break
        else:  # pragma: no cover - a thousand exports in one second
            abort(409, "could not find a free file name")
        ws.state.add_export(path.name)
        return redirect(url_for("facilitator_home", token=token, method=method, weights=weights,
                                msg=f"Wrote {path} ({logic.POOLS[(method, weights)]}; "
                                    "pooled model with provenance)."),
                        code=303)

    @app.get("/f/<token>/exports/<name>")
    def facilitator_download(token: str, name: str) -> Response:
        facilitator(token)
        if name not in ws.state.exports:
            abort(404)
        path = ws.store.path.parent / name
        return Response(path.read_text(encoding="utf-8"), mimetype="text/yaml",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    return app


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8765, *, threads: int = 16,
          ready: Callable[[int], None] | None = None) -> None:
    """Serve ``app`` with waitress until interrupted; ``ready(port)`` is called once bound."""
    from waitress import create_server

    server = create_server(app, host=host, port=port, threads=threads,
                           clear_untrusted_proxy_headers=True)
    bound = int(server.effective_port)
    if ready is not None:
        ready(bound)
    try:
        server.run()
    finally:
        server.close()


class BackgroundServer:
    """A waitress server on a thread (for tests and screenshots); ``url`` once started."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0,
                 threads: int = 16) -> None:
        from waitress import create_server

        self._server = create_server(app, host=host, port=port, threads=threads)
        self.port = int(self._server.effective_port)
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.close()
        self._thread.join(timeout=5)
