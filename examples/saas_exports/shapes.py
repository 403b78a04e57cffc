"""The headers each vendor's export writes, in its order; apart from generate.py to keep it short.

Column names are the vendors' own, spelled and cased as their exports write them (README.md
lists the documentation each comes from), so a profile is written against what people get.
"""

from __future__ import annotations

# Zendesk Support, Admin Center > Account > Tools > Reports > CSV export (tickets).
ZENDESK = [
    "Summation column", "Id", "Requester", "Requester id", "Requester external id",
    "Requester email", "Requester domain", "Submitter", "Assignee", "Group", "Subject", "Tags",
    "Status", "Priority", "Via", "Ticket type", "Created at", "Updated at", "Assigned at",
    "Organization", "Due date", "Initially assigned at", "Solved at", "Resolution time",
    "Satisfaction Score", "Group stations", "Assignee stations", "Reopens", "Replies",
    "First reply time in minutes", "First reply time in minutes within business hours",
    "First resolution time in minutes", "First resolution time in minutes within business hours",
    "Full resolution time in minutes", "Full resolution time in minutes within business hours",
    "Agent wait time in minutes", "Agent wait time in minutes within business hours",
    "Requester wait time in minutes", "Requester wait time in minutes within business hours",
    "On hold time in minutes", "On hold time in minutes within business hours",
]  # fmt: skip

# HubSpot, Contacts > Export view (CSV), the default columns of the "All contacts" view plus
# the two lifecycle properties a conversion rate needs.
HUBSPOT = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Contact owner",
    "Lifecycle Stage", "Lead Status", "Create Date", "Last Activity Date",
    "Became a Customer Date", "Original Traffic Source",
]  # fmt: skip

# Shopify admin, Orders > Export > CSV for Excel, Numbers, or other spreadsheet programs.
SHOPIFY = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
    "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
    "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
    "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
    "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City",
    "Shipping Zip", "Shipping Province", "Shipping Country", "Shipping Phone", "Notes",
    "Note Attributes", "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount",
    "Vendor", "Id", "Tags", "Risk Level", "Source", "Lineitem discount", "Tax 1 Name",
    "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name",
    "Tax 4 Value", "Tax 5 Name", "Tax 5 Value", "Phone", "Receipt Number", "Duties",
    "Billing Province Name", "Shipping Province Name", "Payment ID", "Payment Terms Name",
    "Next Payment Due At", "Payment References",
]  # fmt: skip

# DHL Express billing CSV (MyBill download): the first of its columns and the first extra
# charge group (XC1; the file has XC1 to XC9). An "I" line per invoice, an "S" line per
# shipment; dates as yyyymmdd.
DHL = [
    "Line Type", "Billing Source", "Original Invoice Number", "Invoice Number",
    "Station Code", "Invoice Identifier", "Invoice Type", "Invoice Date", "Payment Terms",
    "Due Date", "Parent Account", "Billing Account", "Billing Account Name",
    "Shipment Number", "Shipment Date", "Product", "Product Name", "Pieces", "Origin",
    "Orig Country Code", "Destination", "Dest Country Code", "Senders Name",
    "Receivers Name", "Shipment Reference 1", "Shipment Reference 2", "Weight Flag",
    "Weight (kg)", "Currency", "Total amount (excl. VAT)", "Total amount (incl. VAT)",
    "Weight Charge", "XC1 Code", "XC1 Name", "XC1 Charge",
]  # fmt: skip

# A French WMS's stock report: no date in it, the day is in the file's name.
WMS = [
    "Code article", "Libellé", "Entrepôt", "Emplacement", "Statut", "Qté en stock",
    "Coût unitaire",
]  # fmt: skip

SUBJECTS = [
    "Where is my order?", "Refund request", "Wrong item received", "Change delivery address",
    "Invoice copy", "Damaged parcel", "Cancel my order", "Product question",
]  # fmt: skip
