"""Expert-plan evals: does a plan written with domain knowledge beat the deterministic planner?

Each case (evals/datasets/expert/*.yaml) is a request as a user sends it, the properties fitting data
has (written before and apart from the plan), and the plan an expert would write, authored in full.
Both plans run through the same engine with the same seed and count; `runner.py` compares them on
context fit, text diversity, realism and coherence (see evals/README.md, "Expert plans").
"""
