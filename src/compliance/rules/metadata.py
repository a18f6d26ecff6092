"""Rule metadata lives in YAML under the repository's ``rules/`` folder (shipped in
the wheel as ``compliance/_rules``): titles and messages in Chinese and English,
the clauses cited, severities and default parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from compliance.host.errors import ConfigError
from compliance.inputs.raw import LList, LMap, ReadError
from compliance.inputs.yaml_reader import load_text
from compliance.rules.schema import check_clauses

LANGS = ("zh", "en")


def rules_dir() -> Path:
    """The folder of pack metadata: inside the installed package, else the source tree's."""
    packaged = Path(str(resources.files("compliance"))) / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "rules"


def plain(value: Any) -> Any:
    """LMap/LList trees as plain dicts and lists."""
    if isinstance(value, LMap | dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, LList | list):
        return [plain(v) for v in value]
    return value


def load_yaml_file(path: Path) -> LMap:
    try:
        data = load_text(path.read_text(encoding="utf-8"))
    except ReadError as exc:
        raise ConfigError(exc.message, str(path), exc.line) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", str(path)) from None
    if not isinstance(data, LMap):
        raise ConfigError("expected a mapping at the top", str(path), 1)
    return data


def text_pair(value: Any, where: str, path: Path, line: int | None) -> dict[str, str]:
    """A ``{zh: …, en: …}`` mapping; both languages are required."""
    if isinstance(value, str):
        raise ConfigError(f"{where} must give both zh and en texts", str(path), line)
    if not isinstance(value, dict) or any(not value.get(lang) for lang in LANGS):
        raise ConfigError(f"{where} must give both zh and en texts", str(path), line)
    return {lang: str(value[lang]) for lang in LANGS}


@dataclass(frozen=True)
class Clause:
    """A policy clause a rule cites."""

    id: str
    document: dict[str, str]
    text: str
    source: str | None = None

    def citation(self, lang: str) -> str:
        return f"{self.id} {self.document[lang]}: {self.text}"


@cache
def clauses() -> dict[str, Clause]:
    """Every clause in ``rules/clauses.yaml``, by id."""
    path = rules_dir() / "clauses.yaml"
    return parse_clauses(load_yaml_file(path), path)


def parse_clauses(data: LMap, path: Path) -> dict[str, Clause]:
    """Clauses from a mapping of id → {document: {zh, en}, text, source}."""
    check_clauses(data, path)
    out: dict[str, Clause] = {}
    for cid, body in data.items():
        if not isinstance(body, LMap) or not body.get("text"):
            raise ConfigError(f"clause {cid} needs a text", str(path), data.line_of(cid))
        out[cid] = Clause(
            id=cid,
            document=text_pair(body.get("document"), f"clause {cid} document", path,
                               data.line_of(cid)),
            text=str(body["text"]),
            source=body.get("source"),
        )
    return out


@dataclass
class RuleMeta:
    """What a rule is, from its pack's YAML: everything but the logic."""

    code: str
    pack: str
    severity: str
    title: dict[str, str]
    message: dict[str, str]
    clauses: list[str]
    parameters: dict[str, Any] = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)
    needs_profile: bool = False
    description: dict[str, str] = field(default_factory=dict)
    example: dict[str, dict[str, str]] = field(default_factory=dict)
    # clauses a plugin's pack file quotes itself (`clause_texts:`), beside rules/clauses.yaml
    own_clauses: dict[str, Clause] = field(default_factory=dict)
    # the subject fields that make a finding *this* violation (its fingerprint, see
    # compliance.rounds.fingerprint); ``None``: the subject minus line and file
    identity: list[str] | None = None
    # one citation text per language, shared by every finding of the rule (a city's
    # 100,000 findings would otherwise each carry their own copy of the clause text)
    _citations: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def citation(self, lang: str) -> str:
        text = self._citations.get(lang)
        if text is None:
            known = {**clauses(), **self.own_clauses}
            text = self._citations[lang] = " / ".join(
                known[c].citation(lang) for c in self.clauses if c in known)
        return text
