"""The ready analyses, by name."""

from analytics.analyses import activity, customers, products
from analytics.analyses.registry import Analysis

ANALYSES: dict[str, Analysis] = {
    analysis.name: analysis for module in (customers, products, activity) for analysis in module.ANALYSES
}
