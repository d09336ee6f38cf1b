"""The composition root: settings, wiring and the ``crm`` command line."""
