"""The workshop's own small state: secret tokens, the round, who submitted, exports.

Kept in one JSON file beside the study's store (``<store stem>.app.json``, mode 0600),
never in the model or the study file, and never in the store (which holds answers only)::

    {"format": "cohesion-bn workshop 1", "study": "demo-nato-cohesion",
     "facilitator": "<token>", "experts": {"E1": "<token>", ...},
     "round": 1, "open": true, "submitted": {"1": ["E2"]}, "exports": ["..."]}

Tokens are made with :func:`secrets.token_urlsafe` the first time the app starts for a
study and kept, so invitation links survive a restart of the server. An expert added to the
study later gets a token at the next start. Every change is written at once (to a
temporary file, then renamed over the old one), so a crash loses nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import ElicitationError

__all__ = ["FORMAT_TAG", "TOKEN_BYTES", "WorkshopState", "state_path_for"]

#: Written in the state file so that the app recognises one.
FORMAT_TAG = "cohesion-bn workshop 1"

#: Bytes of randomness in a token (``secrets.token_urlsafe(32)``: 43 characters).
TOKEN_BYTES = 32


def state_path_for(store_path: str | Path) -> Path:
    """The state file beside a store: ``demo.sqlite`` -> ``demo.app.json``."""
    p = Path(store_path)
    return p.with_name(p.stem + ".app.json")


class WorkshopState:
    """Tokens, round and submissions of one study's workshop, persisted in a JSON file.

    Thread-safe: every method takes one lock; writes replace the file atomically.
    """

    def __init__(self, path: str | Path, *, study: str, experts: Iterable[str],
                 first_round: int = 1) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        data: dict[str, Any]
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ElicitationError(f"{self.path}: cannot read the workshop state: "
                                       f"{exc}") from None
            if not isinstance(data, dict) or data.get("format") != FORMAT_TAG:
                raise ElicitationError(f"{self.path} is not a cohesion-bn workshop state "
                                       "file")
            if data.get("study") != study:
                raise ElicitationError(f"{self.path} is the workshop state of study "
                                       f"{data.get('study')!r}, not {study!r}")
        else:
            data = {"format": FORMAT_TAG, "study": study,
                    "facilitator": secrets.token_urlsafe(TOKEN_BYTES), "experts": {},
                    "round": int(first_round), "open": True, "submitted": {},
                    "exports": []}
        changed = not self.path.exists()
        for e in experts:
            if e not in data["experts"]:
                data["experts"][e] = secrets.token_urlsafe(TOKEN_BYTES)
                changed = True
        self._data = data
        if changed:
            self._save()

    # ------------------------------------------------------------------ persistence
    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self._data, f, indent=1, sort_keys=True)
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    # ------------------------------------------------------------------ tokens
    @property
    def facilitator_token(self) -> str:
        """The facilitator's secret."""
        return str(self._data["facilitator"])

    def expert_token(self, expert: str) -> str:
        """Expert ``expert``'s secret."""
        return str(self._data["experts"][expert])

    def expert_for(self, token: str | None) -> str | None:
        """The pseudonym whose token is ``token`` (constant-time compare), else None."""
        if not token:
            return None
        found = None
        for e, t in self._data["experts"].items():
            if secrets.compare_digest(str(t).encode(), token.encode()):
                found = e
        return found

    def is_facilitator(self, token: str | None) -> bool:
        """Whether ``token`` is the facilitator's."""
        return bool(token) and secrets.compare_digest(
            self.facilitator_token.encode(), str(token).encode())

    # ------------------------------------------------------------------ rounds
    @property
    def round(self) -> int:
        """The current round."""
        return int(self._data["round"])

    @property
    def is_open(self) -> bool:
        """Whether experts may save answers in the current round."""
        return bool(self._data["open"])

    def close_round(self) -> None:
        """Stop accepting answers in the current round."""
        with self._lock:
            self._data["open"] = False
            self._save()

    def reopen_round(self) -> None:
        """Accept answers in the current round again."""
        with self._lock:
            self._data["open"] = True
            self._save()

    def open_next_round(self) -> int:
        """Close the current round and open the next one; return its number."""
        with self._lock:
            self._data["round"] = self.round + 1
            self._data["open"] = True
            self._save()
            return self.round

    # ------------------------------------------------------------------ submissions
    def submit(self, expert: str) -> None:
        """Record that ``expert`` submitted the current round."""
        with self._lock:
            key = str(self.round)
            done = set(self._data["submitted"].get(key, []))
            done.add(expert)
            self._data["submitted"][key] = sorted(done)
            self._save()

    def submitted(self, round: int | None = None) -> list[str]:
        """Who submitted ``round`` (default: the current one)."""
        key = str(self.round if round is None else round)
        return list(self._data["submitted"].get(key, []))

    # ------------------------------------------------------------------ exports
    def add_export(self, name: str) -> None:
        """Remember a pooled model file the app wrote (so it may be downloaded)."""
        with self._lock:
            self._data["exports"].append(name)
            self._save()

    @property
    def exports(self) -> list[str]:
        """The file names of the pooled models the app wrote."""
        return list(self._data["exports"])
