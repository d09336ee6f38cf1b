"""The domain model: aggregates, their past-tense events and the rules they keep."""
