"""The Monday pipeline inspection: per rep, what changed in their pipeline last week, their coverage on the
org's fiscal calendar, and the few deals to inspect. Reads our models only (``coaching.models``)."""
