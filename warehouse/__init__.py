"""The pipeline's warehouse steps: the raw load and its ledger (`warehouse.load`), source
freshness (`warehouse.freshness`), publication of the BI copy (`warehouse.publish`) and the
Postgres warehouse's roles (`warehouse.roles`)."""
