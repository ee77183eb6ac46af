"""Sponsors and their agreements (MoU/PKS): quota, budget, period, package, target group."""
