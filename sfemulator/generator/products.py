"""The product catalogue and standard price book, and the line items that make up a deal's amount.

Four families, sold in order of a rep's breadth: Platform (always), then Add-ons, Services, Hardware. The
hardware names and list prices are those of the public CRM Sales Opportunities data set.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from random import Random
from typing import Any

from sfemulator.generator.record_ids import IdAllocator
from sfemulator.generator.sampling import poisson
from sfemulator.generator.timeline import datetime_text

FAMILIES = ("Platform", "Add-ons", "Services", "Hardware")


@dataclass(frozen=True)
class Product:
    name: str
    code: str
    family: str
    list_price: float
    per_unit: bool  # priced per seat or unit, so the quantity scales with the deal
    active: bool = True
    id: str = ""
    entry_id: str = ""


_CATALOGUE = (
    Product("Platform Starter", "PLT-STR", "Platform", 300.0, True),
    Product("Platform Professional", "PLT-PRO", "Platform", 600.0, True),
    Product("Platform Enterprise", "PLT-ENT", "Platform", 1200.0, True),
    Product("Platform Unlimited", "PLT-UNL", "Platform", 2000.0, True),
    Product("Platform Classic", "PLT-CLS", "Platform", 450.0, True, active=False),
    Product("Analytics Add-on", "ADD-ANL", "Add-ons", 180.0, True),
    Product("Security & Compliance Pack", "ADD-SEC", "Add-ons", 150.0, True),
    Product("AI Assistant", "ADD-AI", "Add-ons", 240.0, True),
    Product("Integration Hub", "ADD-INT", "Add-ons", 9000.0, False),
    Product("Sandbox Environment", "ADD-SBX", "Add-ons", 4000.0, False),
    Product("Implementation - Standard", "SVC-IMP-S", "Services", 15000.0, False),
    Product("Implementation - Premium", "SVC-IMP-P", "Services", 45000.0, False),
    Product("Data Migration", "SVC-MIG", "Services", 12000.0, False),
    Product("Training Day", "SVC-TRN", "Services", 2500.0, True),
    Product("Premier Support", "SVC-SUP", "Services", 8000.0, False),
    Product("GTX Basic", "HW-GTX-BAS", "Hardware", 550.0, True),
    Product("GTX Plus Basic", "HW-GTX-PBS", "Hardware", 1096.0, True),
    Product("GTX Pro", "HW-GTX-PRO", "Hardware", 4821.0, True),
    Product("GTX Plus Pro", "HW-GTX-PPR", "Hardware", 5482.0, True),
    Product("MG Special", "HW-MG-SPC", "Hardware", 55.0, True),
    Product("MG Advanced", "HW-MG-ADV", "Hardware", 3393.0, True),
    Product("GTK 500", "HW-GTK-500", "Hardware", 26768.0, True),
)

# The platform edition a deal leads with, by the buyer's segment.
_EDITIONS = {
    "SMB": ("PLT-STR", "PLT-STR", "PLT-PRO"),
    "Mid-Market": ("PLT-PRO", "PLT-PRO", "PLT-ENT"),
    "Enterprise": ("PLT-ENT", "PLT-ENT", "PLT-UNL"),
}


@dataclass(frozen=True)
class Line:
    product: Product
    quantity: int
    discount: float  # percent

    def total_cents(self) -> int:
        return round(self.quantity * self.product.list_price * (100.0 - self.discount))


class Catalogue:
    def __init__(self, ids: IdAllocator, created: int) -> None:
        self.created = created
        self.pricebook_id = ids.new("Pricebook2")
        self.products = [
            Product(**{**product.__dict__, "id": ids.new("Product2"), "entry_id": ids.new("PricebookEntry")})
            for product in _CATALOGUE
        ]
        self._by_code = {product.code: product for product in self.products}
        self._by_family = {
            family: [product for product in self.products if product.family == family and product.active]
            for family in FAMILIES
        }

    def lines(
        self, rng: Random, list_value: float, segment: str, breadth: int, early: bool
    ) -> list[tuple[Product, int]]:
        """Products and quantities worth about ``list_value`` at list price: [(product, quantity), ...]."""
        edition = self._by_code[rng.choice(_EDITIONS[segment])]
        if early and segment != "Enterprise" and rng.random() < 0.3:
            edition = self._by_code["PLT-CLS"]  # retired since: only deals from the span's first months
        # A flat-priced extra (an implementation package) must fit the deal, or small deals balloon.
        extras_pool = [
            product
            for family in FAMILIES[1:breadth]
            for product in self._by_family[family]
            if product.per_unit or product.list_price <= 0.35 * list_value
        ]
        extra_count = min(len(extras_pool), poisson(rng, 0.35 + 0.55 * (breadth - 1)))
        extras = rng.sample(extras_pool, extra_count)
        shares = [1.0] if not extras else [rng.uniform(0.5, 0.8)]
        for _ in extras:
            shares.append((1.0 - shares[0]) / len(extras) * rng.uniform(0.6, 1.4))
        picked = []
        for product, share in zip([edition, *extras], shares, strict=True):
            units = share * list_value / product.list_price
            quantity = max(1, round(units)) if product.per_unit else max(1, min(3, round(units)))
            picked.append((product, quantity))
        return picked

    def records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        stamp = datetime_text(self.created)
        audit = {"CreatedDate": stamp, "LastModifiedDate": stamp, "SystemModstamp": stamp, "IsDeleted": False}
        yield "Pricebook2", {
            "attributes": {"type": "Pricebook2"}, "Id": self.pricebook_id, "Name": "Standard Price Book",
            "IsActive": True, "IsStandard": True, "Description": None, **audit,
        }  # fmt: skip
        for product in self.products:
            yield "Product2", {
                "attributes": {"type": "Product2"}, "Id": product.id, "Name": product.name,
                "ProductCode": product.code, "Family": product.family, "IsActive": product.active,
                "Description": None, "QuantityUnitOfMeasure": "Each", **audit,
            }  # fmt: skip
            yield "PricebookEntry", {
                "attributes": {"type": "PricebookEntry"}, "Id": product.entry_id, "Name": product.name,
                "Pricebook2Id": self.pricebook_id, "Product2Id": product.id, "ProductCode": product.code,
                "UnitPrice": product.list_price, "IsActive": product.active, "UseStandardPrice": False, **audit,
            }  # fmt: skip
