"""A local fake of the parts of the Hugging Face Hub the miner uses, for tests and the benchmark.

    GET /api/models                            paginated listing: expand=, author=, pipeline_tag=, filter=,
                                               sort=createdAt, limit=, cursor=; `Link: <...>; rel="next"`
    GET /api/models/<id>                       model_info (307 redirect for a renamed repository);
                                               with ?securityStatus=true also `securityRepoStatus`
    GET /api/organizations/<name>/overview     get_organization_overview (404 for a user or unknown name)
    GET /<id>/resolve/<revision>/README.md     the card (404 EntryNotFound, 401, 403 GatedRepo, RevisionNotFound)
    GET /_fake/counts[?reset=1]                request counters, for a hub running in another process

Payloads have the shape of the real API's JSON (camelCase keys, `siblings`, `cardData`,
`baseModels`, `safetensors`, ...); `models_from_model_info_csv` turns real model_info records
(the 2025 Mistral fine-tune family in ../shared/sources) into them.

Faults are injected per request kind ("list", "info", "readme", "org") and model id: "500" (with an
error body that, with echo_auth, quotes the request's Authorization header, as a careless
server might), "drop" (the connection closes without a response), "429" (the bucket is blocked
for `rate_limit_seconds`; every request in it meanwhile is answered 429 with RateLimit,
RateLimit-Policy and Retry-After headers). `latency` is added to every request.

Run alone (the benchmark does): python -m tests.fakehub --synthetic 2000 --latency 0.02
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import json
import math
import re
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import yaml

from build.hubfacts import RELATIONS
from scripts.hub.records import listing_entry

# Properties the real listing returns when no `expand` is given.
DEFAULT_LIST_PROPERTIES = ("modelId", "likes", "downloads", "trendingScore", "private", "tags",
                           "pipeline_tag", "library_name", "createdAt")
RESOLVE = re.compile(r"^/(?P<id>.+?)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # many workers connect at once


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real Hub
    wbufsize = 1 << 16  # headers and body leave in one send (as separate sends, delayed ACKs add 40 ms)
    disable_nagle_algorithm = True
    hub: "FakeHub"

    def do_GET(self):
        self.hub._handle(self)

    def log_message(self, *args):
        pass


class FakeHub:
    def __init__(self, models: list[dict], readmes: dict[str, str | int], *, aliases: dict[str, str] | None = None,
                 page_size: int = 100, latency: float = 0.0, echo_auth: bool = False,
                 rate_limit_seconds: float = 1.0, security: dict[str, dict] | None = None,
                 organizations: dict[str, dict] | None = None):
        self.models = {m["id"]: m for m in models}
        # model id -> securityRepoStatus (default: scanned, nothing found); organization name -> overview
        self.security = dict(security or {})
        self.organizations = dict(organizations or {})
        self.readmes = dict(readmes)
        self.aliases = dict(aliases or {})
        self.page_size = page_size
        self.latency = latency
        self.echo_auth = echo_auth
        self.rate_limit_seconds = rate_limit_seconds
        self.counter: Counter = Counter()
        self.requested: list[tuple[str, str]] = []  # (kind, path with query) of every request, in order
        self.authorizations: set[str] = set()
        self._faults: dict[tuple[str, str | None], deque] = defaultdict(deque)
        self._blocked_until: dict[str, float] = {}
        self._readme_span: list[float] | None = None
        self._lock = threading.Lock()
        self._server = None

    # --- control ----------------------------------------------------------------------------------

    def start(self, port: int = 0) -> "FakeHub":
        handler = type("Handler", (_Handler,), {"hub": self})
        self._server = _Server(("127.0.0.1", port), handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeHub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def counts(self) -> dict:
        """Requests per kind ("list", "info", "readme"), per kind and model ("readme:<id>"), per answer
        ("status 429"), and "span:readme": seconds from the first README request to the last answer."""
        with self._lock:
            counts = dict(self.counter)
            if self._readme_span:
                counts["span:readme"] = self._readme_span[1] - self._readme_span[0]
            return counts

    def reset_counts(self) -> None:
        with self._lock:
            self.counter.clear()
            self.requested.clear()
            self._readme_span = None

    def inject(self, kind: str, model_id: str | None, *faults: str) -> None:
        """Answer the next requests of `kind` (for `model_id`, or any with None) with these faults, in order."""
        with self._lock:
            self._faults[(kind, model_id)].extend(faults)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def update(self, model_id: str, *, sha: str, readme: str) -> None:
        """A new commit to a repository: new sha and README.md."""
        with self._lock:
            self.models[model_id] = {**self.models[model_id], "sha": sha}
            self.readmes[model_id] = readme

    # --- serving ----------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        if path == "/_fake/counts":
            counts = self.counts()
            if "reset" in query:
                self.reset_counts()
            return self._send(h, 200, counts)
        if path == "/api/models":
            kind, model_id, match = "list", None, None
        elif path.startswith("/api/models/"):
            kind, model_id, match = "info", path[len("/api/models/"):], None
        elif path.startswith("/api/organizations/") and path.endswith("/overview"):
            kind, model_id, match = "org", path[len("/api/organizations/"):-len("/overview")], None
        elif match := RESOLVE.match(path):
            kind, model_id = "readme", match["id"]
        else:
            return self._send(h, 404, {"error": "Not Found"})
        start = time.monotonic()
        with self._lock:
            self.counter[kind] += 1
            self.requested.append((kind, h.path))
            if model_id:
                self.counter[f"{kind}:{model_id}"] += 1
            if h.headers.get("Authorization"):
                self.authorizations.add(h.headers["Authorization"])
            fault = self._next_fault(kind, model_id)
        try:
            self._answer(h, kind, model_id, match, parts.query, query, fault)
        finally:
            if kind == "readme":
                with self._lock:
                    first = self._readme_span[0] if self._readme_span else start
                    self._readme_span = [first, time.monotonic()]

    def _answer(self, h, kind: str, model_id: str | None, match, raw_query: str, query: dict, fault: str | None):
        if self.latency:
            time.sleep(self.latency)
        bucket = "resolvers" if kind == "readme" else "api"
        with self._lock:
            if fault == "429":
                self._blocked_until[bucket] = time.monotonic() + self.rate_limit_seconds
            blocked = self._blocked_until.get(bucket, 0) - time.monotonic()
        if blocked > 0:
            return self._too_many(h, bucket, blocked)
        if fault == "drop":
            h.close_connection = True  # close without a word: the client sees a dropped connection
            return
        if fault == "500":
            message = "Internal Error - We're working hard to fix this as soon as possible!"
            if self.echo_auth:
                message += f" (request authorization: {h.headers.get('Authorization')})"
            return self._send(h, 500, {"error": message})
        if kind == "list":
            return self._list(h, query)
        if kind == "info":
            return self._info(h, model_id, raw_query, query)
        if kind == "org":
            return self._organization(h, model_id)
        return self._readme(h, model_id, match["rev"], match["file"])

    def _next_fault(self, kind: str, model_id: str | None) -> str | None:
        for key in ((kind, model_id), (kind, None)):
            if self._faults.get(key):
                return self._faults[key].popleft()
        return None

    def _count_status(self, status: int) -> None:
        with self._lock:
            self.counter[f"status {status}"] += 1

    def _send(self, h, status: int, body, headers: dict | None = None) -> None:
        self._count_status(status)
        if isinstance(body, str):
            data, content_type = body.encode("utf-8"), "text/plain; charset=utf-8"
        else:
            data, content_type = json.dumps(body, default=str).encode("utf-8"), "application/json; charset=utf-8"
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(data)

    def _too_many(self, h, bucket: str, seconds: float) -> None:
        reset = max(1, math.ceil(seconds))
        quota = {"api": 500, "resolvers": 3000}[bucket]
        self._send(h, 429, {"error": "Too Many Requests"}, {
            "RateLimit": f'"{bucket}";r=0;t={reset}',
            "RateLimit-Policy": f'"fixed window";"{bucket}";q={quota};w=300',
            "Retry-After": str(reset)})

    def _not_found(self, h, code: str, message: str, status: int = 404) -> None:
        self._send(h, status, {"error": message}, {"X-Error-Code": code, "X-Error-Message": message})

    def _project(self, model: dict, expand: list[str], default: tuple[str, ...]) -> dict:
        keys = expand or default
        return {"_id": model["_id"], "id": model["id"], **{k: model[k] for k in keys if k in model}}

    def _list(self, h, query: dict) -> None:
        with self._lock:
            models = list(self.models.values())
        wanted_tags = query.get("filter", [])
        items = [m for m in models
                 if all(m.get("author") == a for a in query.get("author", []))
                 and all(m.get("pipeline_tag") == t for t in query.get("pipeline_tag", []))
                 and all(t in m.get("tags", []) for t in wanted_tags)]
        if query.get("sort") == ["createdAt"]:
            items.sort(key=lambda m: m["createdAt"], reverse=True)
        size = min(self.page_size, int(query["limit"][0])) if "limit" in query else self.page_size
        offset = 0
        if "cursor" in query:
            offset = json.loads(base64.urlsafe_b64decode(query["cursor"][0]))["$offset"]
        page = items[offset:offset + size]
        expand = query.get("expand", []) + query.get("expand[]", [])
        headers = {}
        if offset + size < len(items):
            cursor = base64.urlsafe_b64encode(json.dumps({"$offset": offset + size}).encode()).decode()
            params = [(k, v) for k, values in query.items() if k != "cursor" for v in values]
            headers["Link"] = f'<{self.url}/api/models?{urlencode(params + [("cursor", cursor)])}>; rel="next"'
        self._send(h, 200, [self._project(m, expand, DEFAULT_LIST_PROPERTIES) for m in page], headers)

    def _info(self, h, model_id: str, raw_query: str, query: dict) -> None:
        if model_id in self.aliases:
            location = f"/api/models/{quote(self.aliases[model_id])}" + (f"?{raw_query}" if raw_query else "")
            return self._send(h, 307, {"error": "Moved"}, {"Location": location})
        model = self.models.get(model_id)
        if model is None:
            # The Hub answers 401 to anonymous requests for repositories that do not exist (or are private).
            status = 404 if h.headers.get("Authorization") else 401
            return self._not_found(h, "RepoNotFound", "Repository not found", status)
        expand = query.get("expand", []) + query.get("expand[]", [])
        if expand and "securityStatus" in query:
            return self._send(h, 400, {"error": "expand cannot be used with securityStatus"})
        info = self._project(model, expand, tuple(model))
        if query.get("securityStatus", [""])[0].lower() == "true":
            with self._lock:
                info["securityRepoStatus"] = self.security.get(model_id, {"scansDone": True, "filesWithIssues": []})
        self._send(h, 200, info)

    def _organization(self, h, name: str) -> None:
        with self._lock:
            overview = self.organizations.get(name)
            n_models = sum(1 for m in self.models.values() if m.get("author") == name)
        if overview is None:  # a user account, or no such name
            return self._not_found(h, "NotFound", "Organization not found")
        self._send(h, 200, {"_id": object_id(name), "name": name, "fullname": name, "avatarUrl": "",
                            "numModels": n_models, "numSpaces": 0, "numDatasets": 0, "numFollowers": 0,
                            "numUsers": 1, **overview})

    def set_security(self, model_id: str, status: dict) -> None:
        with self._lock:
            self.security[model_id] = status

    def set_organization(self, name: str, overview: dict | None) -> None:
        with self._lock:
            if overview is None:
                self.organizations.pop(name, None)
            else:
                self.organizations[name] = overview

    def _readme(self, h, model_id: str, revision: str, filename: str) -> None:
        if model_id in self.aliases:
            return self._send(h, 307, "Moved", {"Location": f"/{self.aliases[model_id]}/resolve/{revision}/{filename}"})
        with self._lock:
            model, readme = self.models.get(model_id), self.readmes.get(model_id)
        if model is None or readme == 401:
            return self._not_found(h, "RepoNotFound", "Invalid username or password.", 401)
        if readme == 403:
            return self._not_found(h, "GatedRepo", f"Access to model {model_id} is restricted and you are not "
                                                   "in the authorized list.", 403)
        if revision not in (model["sha"], "main"):
            return self._not_found(h, "RevisionNotFound", "Invalid rev id: " + revision)
        if filename != "README.md" or not isinstance(readme, str):
            return self._not_found(h, "EntryNotFound", "Entry not found")
        self._send(h, 200, readme, {
            "X-Repo-Commit": model["sha"],
            "ETag": '"' + hashlib.sha1(readme.encode("utf-8")).hexdigest() + '"'})


# --- payloads -------------------------------------------------------------------------------------

def object_id(model_id: str) -> str:
    return hashlib.md5(model_id.encode()).hexdigest()[:24]


def api_model(model_id: str, *, created: str, modified: str | None = None, downloads: int = 0, likes: int = 0,
              tags: list[str] = (), pipeline_tag: str | None = None, library_name: str | None = None,
              card_data: dict | None = None, files: tuple[str, ...] = ("README.md", "config.json"),
              spaces: list[str] = (), parameters: int | None = None, gated=False, base: tuple | None = None,
              children: int | None = None, revision: int = 1) -> dict:
    """A listing entry as the Hub API returns it with all the miner's `expand` properties."""
    model = {
        "_id": object_id(model_id), "id": model_id, "modelId": model_id,
        "author": model_id.split("/")[0] if "/" in model_id else None,
        "sha": hashlib.sha1(f"{model_id}@{revision}".encode()).hexdigest(),
        "lastModified": modified or created, "createdAt": created,
        "private": False, "gated": gated, "disabled": False,
        "downloads": downloads, "downloadsAllTime": downloads * 12, "likes": likes, "trendingScore": likes // 10,
        "library_name": library_name, "tags": list(tags), "pipeline_tag": pipeline_tag,
        "cardData": card_data,
        "siblings": [{"rfilename": f} for f in files],
        "spaces": list(spaces),
        "safetensors": {"parameters": {"F32": parameters}, "total": parameters} if parameters else None,
        "baseModels": {"relation": base[0], "models": [{"_id": object_id(b), "id": b} for b in base[1]]} if base else None,
        "childrenModelCount": children,
        "usedStorage": (parameters or 1000) * 4,
    }
    return {k: v for k, v in model.items() if v is not None}


def readme_for(model_id: str, card_data: dict | None, body: str) -> str:
    front = f"---\n{yaml.safe_dump(card_data, sort_keys=False)}---\n\n" if card_data else ""
    return f"{front}# {model_id.split('/')[-1]}\n\n{body}\n"


def sample_hub(**kwargs) -> FakeHub:
    """A small Hub with each case the miner must handle: renamed repositories, fine-tunes, an adapter,
    a quantization, a merge, Spaces, a gated and a hidden README, no README, a deleted and an empty one."""
    bert, gpt2, mistral = "google-bert/bert-base-uncased", "openai-community/gpt2", "mistralai/Mistral-7B-v0.1"
    models, readmes = [], {}

    def add(model_id, body="", readme=None, **fields):
        model = api_model(model_id, **fields)
        models.append(model)
        if not any(s["rfilename"] == "README.md" for s in model["siblings"]):
            readme = 404
        readmes[model_id] = readme if readme is not None else readme_for(model_id, fields.get("card_data"), body)

    add(bert, created="2022-03-02T23:29:04.000Z", modified="2024-02-19T11:06:12.000Z", downloads=51853271,
        likes=2165, library_name="transformers", pipeline_tag="fill-mask", parameters=110106428, children=4877,
        tags=["transformers", "pytorch", "tf", "jax", "rust", "coreml", "onnx", "safetensors", "bert", "fill-mask",
              "exbert", "en", "dataset:bookcorpus", "dataset:wikipedia", "arxiv:1810.04805", "license:apache-2.0",
              "autotrain_compatible", "endpoints_compatible", "region:us"],
        card_data={"language": "en", "tags": ["exbert"], "license": "apache-2.0", "datasets": ["bookcorpus", "wikipedia"]},
        files=("README.md", "config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json", "vocab.txt"),
        spaces=["microsoft/HuggingGPT", "exbert-project/exbert", "Gradio-Blocks/Story_and_Video_Generation"],
        body="## Model description\n\nBERT is a transformers model pretrained on a large corpus of English data.")
    add(gpt2, created="2022-03-02T23:29:04.000Z", modified="2024-02-19T10:57:45.000Z", downloads=9462513,
        likes=2467, library_name="transformers", pipeline_tag="text-generation", parameters=137022720, children=2710,
        tags=["transformers", "pytorch", "tf", "jax", "tflite", "rust", "onnx", "safetensors", "gpt2",
              "text-generation", "exbert", "en", "doi:10.57967/hf/0039", "license:mit", "autotrain_compatible",
              "text-generation-inference", "endpoints_compatible", "region:us"],
        card_data={"language": "en", "tags": ["exbert"], "license": "mit"},
        spaces=["open-llm-leaderboard/open_llm_leaderboard", "gradio/hello_world"],
        body="## Model description\n\nGPT-2 is a transformers model pretrained on a very large corpus of English data.")
    add(mistral, created="2023-09-20T13:03:50.000Z", modified="2024-07-24T14:26:35.000Z", downloads=310874,
        likes=3561, library_name="transformers", pipeline_tag="text-generation", parameters=7241732096, children=1903,
        tags=["transformers", "pytorch", "safetensors", "mistral", "text-generation", "pretrained", "en",
              "arxiv:2310.06825", "license:apache-2.0", "text-generation-inference", "region:us"],
        card_data={"language": ["en"], "license": "apache-2.0", "tags": ["pretrained"], "pipeline_tag": "text-generation"},
        spaces=["HuggingFaceH4/open_llm_leaderboard"],
        body="The Mistral-7B-v0.1 Large Language Model (LLM) is a pretrained generative text model.")
    add("SpanBERT/spanbert-large-cased", created="2022-03-02T23:29:05.000Z", modified="2021-05-19T11:31:33.000Z",
        downloads=6915341, likes=11, library_name="transformers", tags=["transformers", "pytorch", "jax", "bert",
                                                                         "endpoints_compatible", "region:us"],
        files=("config.json", "flax_model.msgpack", "pytorch_model.bin"))
    add("textattack/bert-base-uncased-SST-2", created="2022-03-02T23:29:05.000Z", downloads=41205, likes=2,
        library_name="transformers", pipeline_tag="text-classification",
        tags=["transformers", "pytorch", "jax", "bert", "text-classification", "base_model:" + bert,
              "base_model:finetune:" + bert, "autotrain_compatible", "endpoints_compatible", "region:us"],
        card_data={"base_model": bert}, base=("finetune", [bert]),
        body="## TextAttack Model Card\n\nThis `bert-base-uncased` model was fine-tuned for sequence classification.")
    add("example-org/mistral-7b-support-lora", created="2024-05-02T08:15:00.000Z", downloads=87, likes=1,
        library_name="peft", tags=["peft", "safetensors", "base_model:" + mistral, "base_model:adapter:" + mistral,
                                   "region:us"],
        card_data={"base_model": mistral, "library_name": "peft"}, base=("adapter", [mistral]),
        files=("README.md", "adapter_config.json", "adapter_model.safetensors"),
        body="## Model Details\n\nA LoRA adapter.\n\n## Training Details\n\nMore Information Needed")
    add("TheBloke/Mistral-7B-v0.1-GGUF", created="2023-09-27T16:17:26.000Z", downloads=71622, likes=246,
        library_name="transformers", pipeline_tag="text-generation",
        tags=["transformers", "gguf", "mistral", "pretrained", "text-generation", "base_model:" + mistral,
              "base_model:quantized:" + mistral, "license:apache-2.0", "region:us"],
        card_data={"base_model": mistral, "inference": False, "license": "apache-2.0", "model_creator": "Mistral AI",
                   "model_name": "Mistral 7B v0.1", "model_type": "mistral", "quantized_by": "TheBloke"},
        base=("quantized", [mistral]), files=("README.md", "config.json", "mistral-7b-v0.1.Q4_K_M.gguf"),
        spaces=["limcheekin/Mistral-7B-v0.1-GGUF"],
        body="## Description\n\nThis repo contains GGUF format model files for Mistral AI's Mistral 7B v0.1.")
    add("example-org/gpt2-bert-merge", created="2024-06-11T09:00:00.000Z", downloads=5, library_name="transformers",
        tags=["transformers", "safetensors", "mergekit", "merge", "base_model:" + gpt2, "base_model:merge:" + gpt2,
              "base_model:" + mistral, "base_model:merge:" + mistral, "region:us"],
        card_data={"base_model": [gpt2, mistral], "library_name": "transformers", "tags": ["mergekit", "merge"]},
        base=("merge", [gpt2, mistral]), body="This is a merge of pre-trained language models created using mergekit.")
    add("meta-llama/Llama-2-7b-hf", created="2023-07-13T16:16:13.000Z", downloads=933129, likes=2012,
        library_name="transformers", pipeline_tag="text-generation", gated="manual", parameters=6738415616,
        tags=["transformers", "pytorch", "safetensors", "llama", "text-generation", "facebook", "meta", "llama-2",
              "en", "arxiv:2307.09288", "license:llama2", "text-generation-inference", "region:us"],
        card_data={"language": ["en"], "license": "llama2", "pipeline_tag": "text-generation"},
        spaces=["huggingface-projects/llama-2-7b-chat"], readme=403)
    add("example-org/hidden-weights", created="2024-01-05T12:00:00.000Z", downloads=3,
        tags=["region:us"], readme=401)
    add("example-org/readme-deleted", created="2024-02-01T12:00:00.000Z", downloads=0,
        tags=["region:us"], readme=404)
    add("example-org/empty-card", created="2024-03-01T12:00:00.000Z", downloads=0,
        tags=["region:us"], readme="  \n")
    aliases = {"bert-base-uncased": bert, "gpt2": gpt2}
    # The security scan of the Hub (model_info(securityStatus=True).security_repo_status): a pickle
    # flagged in one repository, one not scanned yet; the others scanned clean (the default).
    security = {"SpanBERT/spanbert-large-cased": {"scansDone": True, "filesWithIssues": [
                    {"path": "pytorch_model.bin", "level": "suspicious"}]},
                "example-org/readme-deleted": {"scansDone": False, "filesWithIssues": []}}
    # Organizations (get_organization_overview); the other authors (TheBloke, textattack) are users.
    organizations = {name: {"isVerified": verified} for name, verified in (
        ("google-bert", True), ("openai-community", True), ("mistralai", True), ("meta-llama", True),
        ("SpanBERT", False), ("example-org", False))}
    kwargs.setdefault("security", security)
    kwargs.setdefault("organizations", organizations)
    return FakeHub(models, readmes, aliases=aliases, **kwargs)


LOREM = ("The model was trained on a mixture of public corpora. It is intended for research on text "
         "understanding and should not be used to make decisions about people. ")


def synthetic_models(n: int) -> tuple[list[dict], dict[str, str]]:
    """n deterministic models shaped like real listing entries, with cards of 2-4 kB, fine-tunes and Spaces."""
    models, readmes = [], {}
    for i in range(n):
        model_id = f"org{i % 97:02d}/model-{i:06d}"
        base = f"org{(i // 2) % 97:02d}/model-{i // 2:06d}" if i % 4 == 1 else None
        card_data = {"license": "apache-2.0", "language": ["en"], "tags": ["text-classification"]}
        tags = ["transformers", "safetensors", "bert", "text-classification", "en", "license:apache-2.0", "region:us"]
        if base:
            card_data["base_model"] = base
            tags += ["base_model:" + base, "base_model:finetune:" + base]
        day, hour = divmod(i, 24)
        models.append(api_model(
            model_id, created=f"2024-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{hour:02d}:00:00.000Z",
            downloads=(i * 7919) % 100000, likes=i % 50, tags=tags, pipeline_tag="text-classification",
            library_name="transformers", card_data=card_data, parameters=110_000_000 + i,
            spaces=[f"space-org/demo-{i}"] if i % 10 == 0 else [],
            base=("finetune", [base]) if base else None))
        readmes[model_id] = readme_for(model_id, card_data, "## Model description\n\n" + LOREM * (12 + i % 12))
    return models, readmes


def models_from_model_info_csv(path) -> tuple[list[dict], dict[str, str]]:
    """Real model_info records (huggingface_hub ModelInfo dumped as JSON in a CSV `metadata` column)
    back into API listing entries (scripts.hub.records.listing_entry, as the importer reads them),
    each with a README made of its real card metadata."""
    csv.field_size_limit(sys.maxsize)
    models, readmes = [], {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            meta = json.loads(row["metadata"])
            models.append(api_entry(meta, int(row["children_count"]) if row.get("children_count") else None))
            card_yaml = meta.get("card_data")
            name = meta["id"].split("/")[-1]
            readmes[meta["id"]] = f"---\n{card_yaml}\n---\n\n# {name}\n" if card_yaml else f"# {name}\n"
    return models, readmes


def api_entry(dump: dict, children_count: int | None = None) -> dict:
    """A saved model_info record as the API lists it: with `_id`, `modelId` and the `baseModels`
    property, which the Hub derives from the card's `base_model` (and `base_model_relation`, else
    the relation its `base_model:<relation>:<id>` tags give)."""
    entry = listing_entry(dump, children_count)
    card = entry.get("cardData") or {}
    bases = card.get("base_model")
    bases = [bases] if isinstance(bases, str) else [b for b in bases or [] if isinstance(b, str)]
    if bases:
        tagged = [t.split(":", 2)[1] for t in entry.get("tags", [])
                  if t.startswith("base_model:") and t.count(":") == 2 and t.split(":", 2)[1] in RELATIONS]
        relation = card.get("base_model_relation") or (tagged[0] if tagged else None)
        entry["baseModels"] = {"relation": relation, "models": [{"id": b} for b in bases]}
    return {"_id": dump.get("_id") or object_id(dump["id"]), "modelId": dump["id"], **entry}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fake Hub on 127.0.0.1; prints its URL.")
    parser.add_argument("--synthetic", type=int, default=100, help="number of synthetic models")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free one)")
    args = parser.parse_args(argv)
    models, readmes = synthetic_models(args.synthetic)
    hub = FakeHub(models, readmes, page_size=args.page_size, latency=args.latency).start(args.port)
    print(hub.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        hub.stop()


if __name__ == "__main__":
    main()
