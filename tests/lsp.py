"""A minimal Language Server Protocol client for yaml-language-server (npm), over stdio.

Just enough of the protocol to do what an editor does when a roadmap file is opened: initialize,
answer the server's configuration requests as VS Code's YAML extension would by default, open
documents and collect the diagnostics the server publishes for them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

NODE_DIR = Path(__file__).parent / "node"
SERVER = NODE_DIR / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
# What VS Code's YAML extension sends for the `yaml` section unless the user changed it.
YAML_SETTINGS: dict[str, Any] = {
    "validate": True,
    "hover": True,
    "completion": True,
    "format": {"enable": False},
    "schemas": {},
    "schemaStore": {"enable": False},  # offline: no catalogue download
    "customTags": [],
}


class YamlLanguageServer:
    """yaml-language-server running under Node, spoken to over stdio."""

    def __init__(self, root: Path) -> None:
        node = shutil.which("node")
        if node is None or not SERVER.is_file():
            raise RuntimeError(
                "yaml-language-server needs Node.js and `npm ci` in tests/node (scripts/setup.sh)"
            )
        self._proc = subprocess.Popen(
            [node, str(SERVER), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._next_id = 0
        self._lock = threading.Lock()
        self._responses: dict[int, Any] = {}
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self._published: dict[str, float] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "capabilities": {
                    "workspace": {"configuration": True},
                    "textDocument": {"publishDiagnostics": {}},
                },
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": YAML_SETTINGS}})

    # -- the wire --

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self._proc.stdin is not None
        self._proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._proc.stdin.flush()

    def _read(self) -> None:
        out = self._proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self._handle(json.loads(out.read(length)))

    def _handle(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method is None:  # a response to one of our requests
            with self._lock:
                self._responses[message["id"]] = message
            return
        if "id" in message:  # the server asks: answer as an editor would
            items = message.get("params", {}).get("items", [])
            answer: Any = None
            if method == "workspace/configuration":
                answer = [YAML_SETTINGS if i.get("section") == "yaml" else None for i in items]
            self._send({"id": message["id"], "result": answer})
        elif method == "textDocument/publishDiagnostics":
            params = message["params"]
            with self._lock:
                self.diagnostics[params["uri"]] = params["diagnostics"]
                self._published[params["uri"]] = time.monotonic()

    def request(self, method: str, params: dict[str, Any], timeout: float = 30) -> Any:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if ident in self._responses:
                    return self._responses.pop(ident).get("result")
            time.sleep(0.01)
        raise TimeoutError(f"yaml-language-server did not answer {method}")

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    # -- what the tests use --

    def diagnose(self, file: Path, *, settle: float = 1.5, timeout: float = 30) -> list[Any]:
        """Open a file as an editor does; the diagnostics once the server has gone quiet."""
        uri = file.resolve().as_uri()
        with self._lock:
            self.diagnostics.pop(uri, None)
            self._published.pop(uri, None)
        text = file.read_text(encoding="utf-8")
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self._published.get(uri)
                if last is not None and time.monotonic() - last > settle:
                    return self.diagnostics[uri]
            time.sleep(0.05)
        raise TimeoutError(f"no diagnostics for {file}")

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=5)
            self.notify("exit", {})
            self._proc.wait(timeout=5)
        except (TimeoutError, OSError, subprocess.TimeoutExpired):
            self._proc.kill()
            self._proc.wait()
        self._reader.join(timeout=5)
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe is not None:
                pipe.close()
