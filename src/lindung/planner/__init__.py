"""The budget planner: what a budget buys under the dated rules, and what a coverage costs."""
