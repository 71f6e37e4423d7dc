"""The public CRM data set (``/work/shared/data/crm-sales-opportunities``) loaded into our models, as one org.

35 agents under 6 managers, 85 accounts, 7 products, 8,800 deals (2016-10 to 2017-12), no activity, no
stage history and no quotas: it puts the "where" and "what" rules to a real book of deals. With
``permute_seed`` the outcomes (won or lost) are shuffled among the closed deals of the same product and close
month: what a rep did no longer decides whether a deal was won, so every outcome flag raised on the permuted
org is a false one, while the book (products, months, accounts, sizes) stays each rep's own.

Ids are made up from the rows (``A…`` accounts, ``P…`` people, ``O…`` deals): only ``bench`` reads them.
"""

import csv
import hashlib
import random
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from django.db import transaction

DATA = Path("/work/shared/data/crm-sales-opportunities")
AS_OF = date(2017, 12, 31)
# The pipeline spells one product unlike the product list.
_PRODUCT_NAMES = {"GTXPro": "GTX Pro"}


def _sf_id(prefix: str, key: str) -> str:
    return (prefix + hashlib.sha1(key.encode()).hexdigest().upper())[:18]


def _rows(name: str, directory: Path) -> list[dict[str, str]]:
    with (directory / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def permuted_outcomes(deals: list[dict[str, str]], seed: int) -> dict[str, str]:
    """opportunity_id -> "Won"/"Lost", shuffled within each (product, close month) among the closed deals."""
    cells: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for deal in deals:
        if deal["deal_stage"] in ("Won", "Lost"):
            cells[(deal["product"], deal["close_date"][:7])].append(deal)
    rng = random.Random(seed)
    outcome = {}
    for key in sorted(cells):
        group = cells[key]
        stages = [deal["deal_stage"] for deal in group]
        rng.shuffle(stages)
        for deal, stage in zip(group, stages, strict=True):
            outcome[deal["opportunity_id"]] = stage
    return outcome


def load_public_org(name: str, *, permute_seed: int | None = None, directory: Path = DATA):
    """Create the org ``name`` (replacing one of that name) from the data set; returns it."""
    from crm.models import Account, LineItem, Opportunity, Org, Person, Product

    teams, accounts = _rows("sales_teams.csv", directory), _rows("accounts.csv", directory)
    products, deals = _rows("products.csv", directory), _rows("sales_pipeline.csv", directory)
    outcomes = permuted_outcomes(deals, permute_seed) if permute_seed is not None else {}
    Org.objects.filter(name=name).delete()
    label = "public CRM data set" + (f", outcomes permuted (seed {permute_seed})" if permute_seed is not None else "")
    org = Org.objects.create(name=name, display_name=label)
    start = datetime(2016, 1, 1, tzinfo=UTC)
    with transaction.atomic():
        vp = _sf_id("P", "vp")
        people = [Person(org=org, sf_id=vp, name="Head of Sales", created_date=start)]
        for manager in sorted({row["manager"] for row in teams}):
            people.append(
                Person(org=org, sf_id=_sf_id("P", manager), name=manager, manager_sf_id=vp, created_date=start)
            )
        for row in teams:
            people.append(
                Person(org=org, sf_id=_sf_id("P", row["sales_agent"]), name=row["sales_agent"],
                       manager_sf_id=_sf_id("P", row["manager"]), created_date=start)
            )  # fmt: skip
        Person.objects.bulk_create(people)
        Account.objects.bulk_create(
            Account(org=org, sf_id=_sf_id("A", row["account"]), name=row["account"], industry=row["sector"],
                    employees=int(row["employees"]) if row["employees"] else None, created_date=start)
            for row in accounts
        )  # fmt: skip
        Product.objects.bulk_create(
            Product(org=org, sf_id=_sf_id("R", row["product"]), name=row["product"], family=row["series"])
            for row in products
        )
        prices = {row["product"]: Decimal(row["sales_price"]) for row in products}
        opportunities, lines = [], []
        for row in deals:
            stage = outcomes.get(row["opportunity_id"], row["deal_stage"])
            closed = stage in ("Won", "Lost")
            product = _PRODUCT_NAMES.get(row["product"], row["product"])
            engaged = date.fromisoformat(row["engage_date"]) if row["engage_date"] else None
            value = Decimal(row["close_value"]) if row["close_value"] else None
            # A lost deal's close value is 0 in the data set: its size is the product's list price.
            amount = value if stage == "Won" and value else prices.get(product)
            sf_id = _sf_id("O", row["opportunity_id"])
            opportunities.append(
                Opportunity(
                    org=org, sf_id=sf_id, name=f"{row['account'] or 'Prospect'} - {product}",
                    account_sf_id=_sf_id("A", row["account"]) if row["account"] else "",
                    owner_sf_id=_sf_id("P", row["sales_agent"]), stage=stage, amount=amount,
                    close_date=date.fromisoformat(row["close_date"]) if row["close_date"] else None,
                    is_closed=closed, is_won=stage == "Won", type="New Business", has_line_items=product in prices,
                    created_date=datetime.combine(engaged, datetime.min.time(), UTC) if engaged else start,
                )
            )  # fmt: skip
            if product in prices:
                lines.append(
                    LineItem(org=org, sf_id=_sf_id("L", row["opportunity_id"]), opportunity_sf_id=sf_id,
                             product_sf_id=_sf_id("R", product), quantity=1.0, unit_price=amount,
                             list_price=prices[product], total_price=amount, created_date=start)
                )  # fmt: skip
        Opportunity.objects.bulk_create(opportunities, batch_size=2000)
        LineItem.objects.bulk_create(lines, batch_size=2000)
    return org
