"""The reports that can be asked for a past moment, each as the views its replay builds: the
report's own, with the merges of cards known then, which every query about a client reads
through. The web API answers each from these views (``read_api.time_travel``), and the
projection worker keeps checkpoints of them (``replay.checkpoint_schedule``)."""

from typing import Any

from projections.contract_register import ContractRegister
from projections.counterparty_merges import CounterpartyMerges
from projections.deal_funnel import DealFunnel
from projections.exchange_rates import ExchangeRates
from projections.forecast import Forecast
from projections.projection import Projection
from projections.relationship_history import RelationshipHistory
from projections.sales_actuals import SalesActuals
from projections.sales_plans import SalesPlans

PastReport = tuple[type[Projection[Any]], ...]


def _replayed(*projections: type[Projection[Any]]) -> PastReport:
    return (*projections, CounterpartyMerges)


HISTORY_VIEWS = _replayed(RelationshipHistory)
CONTRACT_REGISTER_VIEWS = _replayed(ContractRegister)
FUNNEL_VIEWS = _replayed(DealFunnel)
PLAN_VS_ACTUAL_VIEWS = _replayed(SalesPlans, SalesActuals, Forecast, ExchangeRates)
PAST_REPORTS = (HISTORY_VIEWS, CONTRACT_REGISTER_VIEWS, FUNNEL_VIEWS, PLAN_VS_ACTUAL_VIEWS)
