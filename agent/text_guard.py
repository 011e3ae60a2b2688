"""The output-side guard: refuse plan values that read like instructions, prompt text or markup.

A plan's values (pools, records, edge values) reach every row the plan makes, and the plan is cached
for a day and served to every replica. A model tricked by a request's context into writing "ignore
previous instructions" or "<|im_start|>system" into a pool would put that text in front of whatever
reads the data next, often another model; so every value passes `refusal` at plan check time.

Instruction and prompt text is never allowed; markup (tags, javascript: URLs, template syntax, code
fences, SQL-injection shapes) only with `markup_ok` (edge_values, which reach edge-case rows only).
The rules match text addressed to a model, not words: "The assembly instructions were unclear",
"Customer service told me to ignore the noise", "Ignore previous ticket - duplicate" and "Please
ignore my last email" pass (a model is told to ignore instructions, prompts, rules, not tickets).
Refused on purpose though data could say it: a line starting "System:", "User:" or "AI:" (a chat
role; write "OS: Windows 11"), "your instructions", "debug mode", "Follow these instructions" (the
evals' leak markers, the usual attack words). Patterns are precompiled and bounded, with no ambiguous
repetition, so a few-KB value takes linear time (about 5 ms for 4 KB, microseconds for a name); text
is NFKC-normalised and stripped of invisible characters, so full-width or zero-width tricks fail.
"""

from __future__ import annotations

import re
import unicodedata

_INSTRUCTION = "looks like an instruction to a model ({}); write data, not instructions"
_PROMPT = "looks like prompt text ({}); write data, not prompt text"
_READER = "looks like an instruction to whoever reads the data ({}); write data, not instructions"
_MARKUP = "looks like markup ({}); markup belongs only in edge_values"
_SQL = "looks like an SQL injection ({}); injection strings belong only in edge_values"

_INVISIBLE = dict.fromkeys(
    [0xAD, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065), 0xFEFF]
)
_VERB = r"\b(?:ignore|disregard|forget|override)\s+"
_FILLER = r"(?:(?:all|any|of|the|your|these|those)\s+){0,3}"
_NOUN = r"(?:instructions?|prompts?|directions|directives|guidelines|rules|context|messages|commands)\b"
_SELF = r"(?:ai|assistant|model|chatbot|bot|llm|language\s+model|system)\b(?!\s+(?:manager|admin\w*|engineer|"
_SELF += r"architect|analyst|director|editor|coach|teacher|owner|student|customer|citizen|employee|parent)\b)"
_SHOW = r"\b(?:reveal|leak|disclose|print|repeat|output|show|display|dump|recite|tell)\s+(?:me\s+|us\s+)?"
_QUALIFIER = r"(?:previous|prior|above|earlier|preceding|foregoing|system|original|initial)\s+(?:\w+\s+)?"


def _rules(reason: str, *patterns: str, flags: int = 0) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p, re.IGNORECASE | flags), reason) for p in patterns]


_NEVER = [
    *_rules(
        _INSTRUCTION,
        _VERB + _FILLER + _QUALIFIER + _NOUN,  # ignore all previous instructions
        _VERB + _FILLER + _NOUN + r"\s+(?:above|before\s+this|so\s+far)",  # ignore the rules above
        _VERB + r"(?:(?:all|any)\s+(?:of\s+)?)?your\s+(?:\w+\s+)?(?:" + _NOUN + r"|programming|training)",
        _VERB
        + r"(?:all|any)\s+(?:of\s+)?(?:the\s+)?(?:instructions|prompts|directions|directives|guidelines)\b",
        _VERB
        + r"(?:(?:all|everything)\s+(?:of\s+)?)?(?:the\s+)?above\b|\bignore\s+everything\s+(?:above|before)",
        r"\byou(?:\s+are|['’]re)\s+(?:now\s+)?(?:an?|the|my)\s+(?:(?:helpful|new|ai|unrestricted)\s+){0,2}"
        + _SELF,
        r"\b(?:act|behave)\s+as\s+(?:an?|the|my)\s+(?:(?:helpful|ai|unrestricted)\s+)?" + _SELF,
        r"\bas\s+an?\s+(?:ai|large\s+language|language)\s+(?:language\s+)?(?:model|assistant)\b",
        r"\bsystem\s+prompt\b|\byour\s+(?:instructions|(?:initial|original|hidden)\s+prompt)\b",
        _SHOW + r"your\s+(?:\w+\s+)?(?:prompt|instructions|rules|guidelines)\b",
        _SHOW
        + r"the\s+(?:(?:hidden|secret|initial|original|full|entire|above)\s+)?(?:prompt|system\s+message)\b",
        r"\b(?:reveal|leak|disclose)\s+(?:the|your)\s+(?:\w+\s+)?(?:instructions|system)\b",
        r"\bfollow\s+(?:these|the\s+following|my|the\s+new|new)\s+instructions\b",
        r"\b(?:only\s+(?:respond|reply|answer|output)|(?:respond|reply|answer|output)\s+only)\s+(?:with|in)\b",
        r"\b(?:do\s+not|don['’]?t|never)\s+(?:tell|inform|mention\s+(?:this\s+|it\s+)?to)\s+the\s+user\b",
    ),
    *_rules(_PROMPT, r"^[ \t>#*_-]*(?:system|assistant|human|user|ai)[ \t]*:(?!//)", flags=re.MULTILINE),
    *_rules(
        _PROMPT,
        r"<\|[\w-]{1,40}\|>|\[/?inst\]|<</?sys>>|</s>",  # chat-template tokens
        r"(?:<|&lt;)/?data\b",  # our own prompt fence (agent/prompts.py), raw or escaped
        r"\bgeneration_?plan\b|\bdebug\s+mode\b",  # leak markers shared with evals/quality.py
    ),
    *_rules(
        _READER,
        r"\bplease\s+ignore\b[^.!?\n]{0,60}?\b(?:instructions|prompts?|guidelines|directions|directives|rules)\b",
        r"(?:^|[.!?\n])[ \t]*(?:assistant|ai|claude|chatgpt|gpt|llm|bot|model)\s*,\s*(?:please|ignore|"
        r"disregard|forget|you|now|from\s+now|write|output|print|reveal|tell|stop|do|don['’]?t|never|always|"
        r"respond|reply|return|add|insert|include|generate|say)\b",
        r"\bnote\s+to\s+(?:the\s+|any\s+)?(?:ai|assistant|model|llm|bot|chatbot|language\s+model)s?\b",
        r"\bprompt\s+injection\b",
    ),
]
_MARKUP_RULES = [
    *_rules(
        _MARKUP,
        r"<\s*(?:script|img|iframe|svg|object|embed|style|link|meta|body|html|form|input|frame|base|"
        r"video|audio|math|marquee|details|textarea|button)\b|<a\s+href\b",
        r"<[a-z][\w:-]{0,30}(?:\s+[\w:-]{1,30}\s*=[^<>]{0,500}>|\s*/?>)|</[a-z][\w:-]{0,30}\s*>|&lt;/?[a-z]",
        r"\bon(?:error|load|click|mouseover|focus|blur|submit|change|input|key\w{2,4})\s*=",
        r"\b(?:javascript|vbscript)\s*:|\bdata\s*:\s*text/html",
        r"\{\{|\{%|\$\{|<%|```",  # template syntax, markdown code fences
    ),
    *_rules(
        _SQL,
        r"'\s*(?:\)\s*)*;\s*(?:drop|delete|insert|update|select|truncate|alter|exec|shutdown)\b",
        r";\s*(?:drop|truncate)\s+table\b|\bunion\s+(?:all\s+)?select\b",
        r"'\s*(?:or|and)\s+'?\w{1,20}'?\s*=",
        r"'\s*(?:\)\s*)*(?:;\s*)?--[^\S\n]*(?:$|\n)",
    ),
]
_ALL = _NEVER + _MARKUP_RULES


def refusal(value: str, *, markup_ok: bool = False) -> str | None:
    """None when `value` reads like ordinary test data; otherwise why it is refused and the fix.

    Instruction-like and prompt-like text is refused always; markup and SQL-injection shapes only
    when `markup_ok` is false. A value that is not a string (a number in a record) is never refused.
    """
    if not isinstance(value, str) or len(value) < 2:
        return None
    text = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
    for pattern, reason in _NEVER if markup_ok else _ALL:
        found = pattern.search(text)
        if found:
            return reason.format(repr(" ".join(found.group(0).split()).lower()[:48]))
    return None
