"""Prompt texts and their version. PROMPT_VERSION feeds plan cache keys and eval reports: change it
whenever a prompt, a tool docstring or the plan model's field descriptions change."""

from __future__ import annotations

PROMPT_VERSION = "2026-11-28.1"
