"""What a model can read from the planner agent's prompt: the request and the schema summary.

The scripted planner (evals/planner.py) and the mocked Claude in the tests both read only what the
real model reads, so they break when the prompt loses something a model needs.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from pydantic_ai.messages import ModelMessage, ModelRequest, UserPromptPart

ENTITY = re.compile(r"Plan the dataset for entity `([^`]+)`")
FENCE = re.compile(r'<data label="([^"]*)">\n(.*?)\n</data>', re.S)
FIELD = re.compile(r"^- ([\w\[\].]+): (\w+)(.*)$")
NUMBER = r"(-?\d+(?:\.\d+)?)"


@dataclass
class FieldInfo:
    path: str
    type: str
    text: str  # the rest of the summary line: constraints and description

    @property
    def enumerated(self) -> bool:
        return "values=" in self.text

    def bound(self, name: str) -> float | None:
        m = re.search(rf"\b{name}={NUMBER}", self.text)
        return float(m.group(1)) if m else None


@dataclass
class Brief:
    entity: str = ""
    scenarios: dict[str, list[str]] = field(default_factory=dict)  # name -> fixed paths
    context: str = ""
    hints: str = ""
    descriptions: dict[str, str] = field(default_factory=dict)
    flags: str = ""
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)

    @property
    def request_text(self) -> str:
        return " ".join([self.context, self.hints]).lower()


def read_brief(prompt: str, instructions: str) -> Brief:
    b = Brief()
    m = ENTITY.search(prompt)
    b.entity = m.group(1) if m else ""
    for block in prompt.split("\n\n"):
        if block.startswith("Flags:"):
            b.flags = block
    schema_text = ""
    for label, text in FENCE.findall(prompt):
        text, label = html.unescape(text), html.unescape(label)
        if label == "scenario name":
            b.scenarios[text] = []
        elif label.startswith("values fixed in scenario "):
            name = label[len("values fixed in scenario ") :]
            b.scenarios[name] = [p.split("=")[0] for p in text.split(", ") if p]
        elif label == "request schema":
            schema_text = text  # a schema sent with the request arrives as data, not instructions
            m = re.search(r"Entity (\w+) ", text)
            b.entity = m.group(1) if m else b.entity
        elif label == "context":
            b.context = text
        elif label == "hints":
            b.hints = text
        elif label.startswith("scenario ") and label.endswith(" description"):
            b.descriptions[label[len("scenario ") : -len(" description")]] = text
    summary = schema_text or instructions
    section = summary.split("Fields:", 1)[-1]
    for line in section.splitlines():
        f = FIELD.match(line)
        if f and not line.startswith("- derive") and f.group(1) not in b.fields:
            b.fields[f.group(1)] = FieldInfo(f.group(1), f.group(2).rstrip(","), f.group(3))
        if line.startswith("Rules the engine enforces"):
            break
    themes = re.search(r"Product themes \(for `themes` weights\): (.*)", summary)
    if themes:
        b.themes = re.findall(r"(\w+) \(", themes.group(1))
    return b


def first_prompt(messages: list[ModelMessage]) -> str:
    for m in messages:
        if isinstance(m, ModelRequest):
            for p in m.parts:
                if isinstance(p, UserPromptPart) and isinstance(p.content, str):
                    return p.content
    return ""
