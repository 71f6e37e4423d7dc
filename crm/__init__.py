"""The CRM mirror: the synced sales data (orgs, people, accounts, deals and their history, products, activities,
quotas). The ground floor: ``integrations`` writes it, the coaching engine reads it, and it imports neither."""
