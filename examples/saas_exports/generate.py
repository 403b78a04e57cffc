"""Sample exports in the shapes Zendesk, HubSpot, Shopify, DHL Express and a WMS write them.

No public export of these tools can be shipped (they hold customers' data), so the rows are
made up, but every header, date layout and oddity is the vendor's (README.md, with sources):
a fixed seed makes the same files every time, so the committed files and the tests agree.
Run: `.venv/bin/python -m examples.saas_exports.generate` (writes files/ next to this file).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

try:
    from examples.saas_exports import shapes
except ModuleNotFoundError:  # run as a script: its own folder is on the path
    import shapes  # type: ignore[no-redef]

FILES = Path(__file__).resolve().parent / "files"
PARIS = ZoneInfo("Europe/Paris")  # the accounts' zone: offsets are +0200, then +0100
START = dt.datetime(2025, 9, 1, tzinfo=PARIS)
DAYS = 91  # September to November 2025, every period complete


def _write(
    folder: Path, name: str, header: Sequence[str], rows: Iterable[dict[str, str]], **kw: str
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, restval="", lineterminator="\r\n", **kw)
        writer.writeheader()
        writer.writerows(rows)


def _moment(rng: random.Random, last_day: int = DAYS - 1) -> dt.datetime:
    day = START + dt.timedelta(days=rng.randrange(last_day + 1))
    return day.replace(
        hour=rng.randrange(7, 20), minute=rng.randrange(60), second=rng.randrange(60)
    )


def _offset_time(moment: dt.datetime) -> str:
    """Zendesk's and Shopify's layout: `2025-10-04 10:22:31 +0200` (offset after a space)."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S %z")


def zendesk(rng: random.Random, folder: Path) -> None:
    groups = ["Support", "Billing", "Logistics"]
    rows = []
    for number in range(1, 301):
        created = _moment(rng, DAYS - 6)
        solved = rng.random() < 0.85
        hours = rng.lognormvariate(2.3, 1.0)
        solved_at = created + dt.timedelta(hours=min(hours, 110)) if solved else None
        rating = rng.choices(["Good", "Bad", "Offered", "Unoffered"], [55, 12, 20, 13])[0]
        group = "" if rng.random() < 0.08 else rng.choice(groups)  # unassigned: no group
        status = rng.choice(["Solved", "Closed"]) if solved else rng.choice(["New", "Open"])
        requester = f"Customer {number:04d}"
        rows.append({
            "Summation column": "1", "Id": str(1000 + number), "Requester": requester,
            "Requester id": str(360000000 + number), "Requester email":
                f"customer{number:04d}@example.com", "Requester domain": "example.com",
            "Submitter": requester, "Assignee": "" if not group else f"Agent {rng.randrange(1, 9)}",
            "Group": group, "Subject": rng.choice(shapes.SUBJECTS), "Tags": rng.choice(
                ["", "order_issue", "refund", "delivery late_delivery"]), "Status": status,
            "Priority": rng.choice(["", "Low", "Normal", "Normal", "High", "Urgent"]),
            "Via": rng.choice(["Mail", "Web form", "Chat", "Phone call (incoming)"]),
            "Ticket type": rng.choice(["", "Question", "Incident", "Problem"]),
            "Created at": _offset_time(created),
            "Updated at": _offset_time(solved_at or created + dt.timedelta(hours=1)),
            "Solved at": _offset_time(solved_at) if solved_at else "",
            "Satisfaction Score": rating if solved else "Unoffered",
            "Reopens": str(rng.choice([0, 0, 0, 1])), "Replies": str(rng.randrange(1, 6)),
            "Full resolution time in minutes": str(round((solved_at - created).total_seconds()
                                                         / 60)) if solved_at else "",
        })  # fmt: skip
    _write(folder, "zendesk_tickets.csv", shapes.ZENDESK, rows)


def hubspot(rng: random.Random, folder: Path) -> None:
    stages = ["Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead",
              "Opportunity", "Customer", "Evangelist", "Other", "Partner", ""]  # fmt: skip
    # "Partner" is a stage an admin added (not one of HubSpot's defaults); "" never set.
    weights = [14, 30, 14, 8, 6, 9, 2, 3, 4, 10]
    sources = ["Organic Search", "Paid Search", "Direct Traffic", "Social Media",
               "Email Marketing", "Referrals", "Offline Sources"]  # fmt: skip
    rows = []
    for number in range(1, 401):
        created = _moment(rng)
        stage = rng.choices(stages, weights)[0]
        became = ""
        if stage in ("Customer", "Evangelist"):
            became = (created + dt.timedelta(days=rng.randrange(0, 20))).strftime("%Y-%m-%d %H:%M")
        rows.append({
            "Record ID": str(51000000 + number * 7), "First Name": f"First{number}",
            "Last Name": f"Last{number}", "Email": f"contact{number}@example.org",
            "Phone Number": "", "Contact owner": rng.choice(["", "Sales Rep A", "Sales Rep B"]),
            "Lifecycle Stage": stage, "Lead Status": rng.choice(["", "New", "Open", "In progress"]),
            "Create Date": created.strftime("%Y-%m-%d %H:%M"),
            "Last Activity Date": "", "Became a Customer Date": became,
            "Original Traffic Source": rng.choice(sources),
        })  # fmt: skip
    _write(folder, "hubspot_contacts.csv", shapes.HUBSPOT, rows)


def shopify(rng: random.Random, folder: Path) -> None:
    products = [("Mug - Blue", "MUG-BL", "12.00"), ("Mug - Red", "MUG-RD", "12.00"),
                ("Tea sampler", "TEA-SMP", "24.50"), ("Kettle", "KET-01", "59.90"),
                ("Filters (x100)", "FLT-100", "4.90")]  # fmt: skip
    rows = []
    for number in range(1001, 1251):
        created = _moment(rng, DAYS - 5)
        lines = rng.sample(products, rng.choice([1, 1, 2, 2, 3]))
        quantities = [rng.choice([1, 1, 2, 3, 6]) for _ in lines]
        cancelled = rng.random() < 0.06
        fulfilled = not cancelled and rng.random() < 0.92
        fulfilled_at = created + dt.timedelta(hours=rng.choice([6, 20, 30, 44, 60, 80]))
        subtotal = sum(Decimal(p[2]) * q for p, q in zip(lines, quantities, strict=True))
        shipping = Decimal("4.90") if subtotal < 50 else Decimal("0.00")
        order = {
            "Name": f"#{number}", "Email": f"buyer{number}@example.net",
            "Financial Status": "voided" if cancelled else "paid",
            "Paid at": "" if cancelled else _offset_time(created + dt.timedelta(minutes=1)),
            "Fulfillment Status": "fulfilled" if fulfilled else "unfulfilled",
            "Fulfilled at": _offset_time(fulfilled_at) if fulfilled else "",
            "Accepts Marketing": rng.choice(["yes", "no"]), "Currency": "EUR",
            "Subtotal": f"{subtotal:.2f}", "Shipping": f"{shipping:.2f}",
            "Taxes": f"{subtotal / 6:.2f}", "Total": f"{subtotal + shipping:.2f}",
            "Discount Amount": "0.00", "Shipping Method": "Standard",
            "Created at": _offset_time(created), "Billing Name": f"Buyer {number}",
            "Billing Country": "FR", "Shipping Name": f"Buyer {number}",
            "Shipping Country": "FR",
            "Cancelled at": _offset_time(created + dt.timedelta(hours=3)) if cancelled else "",
            "Payment Method": "Shopify Payments", "Id": str(5100000000000 + number),
            "Source": "web", "Tax 1 Name": "FR TVA 20%", "Tax 1 Value": f"{subtotal / 6:.2f}",
        }  # fmt: skip
        for index, ((name, sku, price), quantity) in enumerate(zip(lines, quantities, strict=True)):
            line = order if index == 0 else {"Name": order["Name"], "Email": order["Email"]}
            rows.append({
                **line, "Lineitem quantity": str(quantity), "Lineitem name": name,
                "Lineitem price": price, "Lineitem sku": sku, "Lineitem requires shipping": "true",
                "Lineitem taxable": "true", "Lineitem fulfillment status":
                    "fulfilled" if fulfilled else "pending", "Vendor": "Teapot & Co",
                "Lineitem discount": "0.00",
            })  # fmt: skip
    _write(folder, "shopify_orders.csv", shapes.SHOPIFY, rows)


def dhl(rng: random.Random, folder: Path) -> None:
    origins = ["LYS", "LYS", "CDG"]  # DHL station codes: Lyon, Paris
    shipments: dict[int, list[dict[str, str]]] = {9: [], 10: [], 11: []}
    for number in range(300):
        shipped = _moment(rng)
        pieces = rng.choice([1, 1, 1, 2, 3, 4])
        weight = Decimal(rng.randrange(5, 250)) / 10
        base = (Decimal("7.80") + weight * Decimal("1.35")).quantize(Decimal("0.01"))
        fuel = (base * Decimal("0.2175")).quantize(Decimal("0.01"))
        total = base + fuel
        shipments[shipped.month].append({
            "Line Type": "S", "Shipment Number": str(1234500000 + number * 37),
            "Shipment Date": shipped.strftime("%Y%m%d"), "Product": rng.choice(["N", "U"]),
            "Product Name": "", "Pieces": str(pieces), "Origin": rng.choice(origins),
            "Orig Country Code": "FR", "Destination": rng.choice(["BCN", "MUC", "AMS", "MXP"]),
            "Senders Name": "Teapot & Co", "Shipment Reference 1": f"#{1001 + number % 250}",
            "Weight Flag": rng.choice(["A", "A", "V"]), "Weight (kg)": f"{weight:.1f}",
            "Currency": "EUR", "Weight Charge": f"{base:.2f}", "XC1 Code": "FF",
            "XC1 Name": "FUEL SURCHARGE", "XC1 Charge": f"{fuel:.2f}",
            "Total amount (excl. VAT)": f"{total:.2f}",
            "Total amount (incl. VAT)": f"{total * Decimal('1.2'):.2f}",
        })  # fmt: skip
    rows = []
    for month, lines in shipments.items():
        lines.sort(key=lambda r: (r["Shipment Date"], r["Shipment Number"]))
        invoice = {
            "Invoice Number": f"MUCIR{month:02d}0042",
            "Invoice Date": f"2025{month + 1:02d}01",
            "Due Date": f"2025{month + 1:02d}15",
            "Billing Account": "950000001",
            "Billing Account Name": "TEAPOT & CO",
            "Billing Source": "EU",
            "Invoice Type": "Invoice",
            "Currency": "EUR",
        }
        amount = sum(Decimal(r["Total amount (excl. VAT)"]) for r in lines)
        rows.append({"Line Type": "I", **invoice, "Total amount (excl. VAT)": f"{amount:.2f}"})
        rows += [{**invoice, **line} for line in lines]
    # The portal's download ends with a totals line (shapes.py says where it comes from).
    grand = sum(Decimal(r["Total amount (excl. VAT)"]) for r in rows if r["Line Type"] == "S")
    pieces = sum(int(r["Pieces"]) for r in rows if r["Line Type"] == "S")
    rows.append({"Line Type": "Total", "Pieces": str(pieces),
                 "Total amount (excl. VAT)": f"{grand:.2f}"})  # fmt: skip
    _write(folder, "dhl_express_invoice.csv", shapes.DHL, rows)


def wms_stock(rng: random.Random, folder: Path) -> None:
    rows = []
    for number in range(1, 121):
        for warehouse in ("Lyon", "Paris"):
            unstocked = rng.random() < 0.07  # listed in the catalogue, never stored here
            cost = Decimal(rng.randrange(150, 9000)) / 100
            rows.append({
                "Code article": f"SKU-{number:04d}", "Libellé": f"Article {number}",
                "Entrepôt": warehouse, "Emplacement": "" if unstocked else
                    f"{rng.choice('ABCD')}-{rng.randrange(1, 40):02d}-{rng.randrange(1, 6)}",
                "Statut": "Non stocké" if unstocked else "Stocké",
                "Qté en stock": "" if unstocked else str(rng.randrange(0, 400)),
                "Coût unitaire": f"{cost:.2f}".replace(".", ","),
            })  # fmt: skip
    _write(folder, "stock_20251006.csv", shapes.WMS, rows, delimiter=";")


def main(folder: Path = FILES) -> None:
    """Write the five files into `folder` (the tests regenerate them to check they match)."""
    rng = random.Random(20251006)
    for make in (zendesk, hubspot, shopify, dhl, wms_stock):
        make(rng, folder)


if __name__ == "__main__":
    main()
