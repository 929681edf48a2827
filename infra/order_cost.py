#!/usr/bin/env python3
"""DynamoDB read and write units of one order, estimated ON PAPER.

Not measured: nothing here talks to DynamoDB. The calls per step are read
off the code (functions/src/orders/engine.rs, orders/paperwork.rs,
ledger/mod.rs, invoices.rs, registrar/sandbox.rs, accounts/, tenant.rs)
and agree with BENCHMARKS.md's store-call counts for one order at
concurrency 1 (15 gets and 7 writes: 1 put + 6 transactions, and 2
queries). Item sizes are those of JSON documents shaped like what the code
serialises, with realistic ids, stored as aws/src/dynamo.rs stores them
(pk, sk, v, expires_at, d = the JSON, c_<counter>).

Prices: DynamoDB on-demand, us-east-1, as AWS has published them since the
1 November 2024 reduction ($0.625 per million write request units, $0.125
per million read request units). Check the pricing page for your region.

Run: python3 infra/order_cost.py
"""

from __future__ import annotations

import json
import math

# ---------------------------------------------------------------------------
# Item sizes (bytes, as DynamoDB counts them: attribute names + values)
# ---------------------------------------------------------------------------

HEX32 = "3f1c9a0e5b7d4c21a8e6f0b9d2c4e7a1"  # an account id (16 random bytes, hex)
ORDER_ID = "1795346251683" + "a1b2c3d4"  # sortable_id: millis + 8 hex
RESELLER = "toko-budi"
CHAIN = ["nusantara", "agen-jaya", "toko-budi"]  # four legs: customer, toko-budi, agen-jaya, nusantara
DOMAIN = "tokobudi-contoh.co.id"
RFC3339 = "2026-11-22T11:17:31.683175293+00:00"  # chrono's to_rfc3339()
MILLIS_AT = "2026-11-22T11:17:31.683Z"
VERSION = "7478abe25f3f7cdd"  # a snapshot's price version


def number_size(n: int | float | str) -> int:
    """DynamoDB: about one byte per two significant digits, plus one."""
    digits = len(str(n).replace("-", "").replace(".", "").strip("0")) or 1
    return (digits + 1) // 2 + 1


def item_size(pk: str, sk: str, doc: object, *, expires: bool = False, counters: int = 0) -> int:
    d = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    size = len("pk") + len(pk.encode()) + len("sk") + len(sk.encode())
    size += len("v") + number_size(3)
    size += len("d") + len(d.encode())
    if expires:
        size += len("expires_at") + number_size(1795432651)
    size += counters * (len("c_spendable") + number_size("1234567.89"))
    return size


def party_customer() -> dict:
    return {"kind": "customer", "reseller": RESELLER, "account": HEX32}


def party_reseller(r: str) -> dict:
    return {"kind": "reseller", "id": r}


LEGS = [
    {"index": 0, "payer": party_customer(), "payee": party_reseller("toko-budi"), "amount": "165000"},
    {"index": 1, "payer": party_reseller("toko-budi"), "payee": party_reseller("agen-jaya"), "amount": "150000"},
    {"index": 2, "payer": party_reseller("agen-jaya"), "payee": party_reseller("nusantara"), "amount": "140000"},
    {"index": 3, "payer": party_reseller("nusantara"), "payee": {"kind": "platform"}, "amount": "130000"},
]


def event(what: str) -> dict:
    return {"at": RFC3339, "by": HEX32, "what": what}


def order_doc(stage: str) -> dict:
    line = {
        "id": ORDER_ID + "-1", "domain": DOMAIN, "display": DOMAIN, "ext": "co.id",
        "action": "register", "years": 1, "premium": False,
        "net": "148649", "tax": "16351", "gross": "165000",
        "legs": LEGS, "funds": "none", "status": "awaiting_payment",
    }
    history = [event("ordered")]
    if stage in ("paid", "sent", "settled", "invoiced"):
        line.update(funds="held", status="paid")
        history.append(event("paid from wallet"))
    if stage in ("sent", "settled", "invoiced"):
        line.update(status="provisioning", sent_at=RFC3339)
    if stage in ("settled", "invoiced"):
        line.update(funds="captured", status="active", expires="2027-11-22")
        history.append(event(f"{DOMAIN} registration: done"))
    doc = {
        "id": ORDER_ID, "reseller": RESELLER, "customer": HEX32, "chain": CHAIN,
        "currency": "IDR", "price_version": VERSION, "payment": "wallet",
        "lines": [line], "net": "148649", "tax": "16351", "gross": "165000",
        "created_at": RFC3339, "renewal": False, "cancelled": False, "history": history,
    }
    if stage == "invoiced":
        doc["invoice"] = "INV/2026/000123"
    return doc


SUMMARY = {
    "id": ORDER_ID, "state": "completed", "created_at": RFC3339, "gross": "165000",
    "currency": "IDR", "domains": [DOMAIN], "customer": HEX32, "renewal": False,
}


def sizes() -> dict[str, int]:
    s: dict[str, int] = {}
    for stage in ("new", "paid", "sent", "settled", "invoiced"):
        s[f"order/{stage}"] = item_size(f"ORDER#{ORDER_ID}", "ORDER", order_doc(stage))
    s["order copy (customer's list)"] = item_size(
        f"RESELLER#{RESELLER}#ACCOUNT#{HEX32}", f"ORDER#{ORDER_ID}", SUMMARY)
    s["order copy (reseller's list)"] = item_size(f"ORDERS#{RESELLER}", ORDER_ID, SUMMARY)
    s["queue item (PROVISIONING, INVOICE_DUE)"] = item_size(
        f"INVOICE_DUE#{RESELLER}", ORDER_ID, {"order": ORDER_ID})
    quote = {
        "id": ORDER_ID, "reseller": RESELLER, "customer": HEX32, "price_version": VERSION,
        "currency": "IDR",
        "lines": [{"priced": {"domain": DOMAIN, "display": DOMAIN, "ext": "co.id",
                              "action": "register", "years": 1, "premium": False,
                              "promotion": None, "net": "148649", "tax": "16351",
                              "gross": "165000", "costs": ["150000", "140000", "130000"]},
                   "auth_code": None, "current_expiry": None, "premium_renew": None}],
        "net": "148649", "tax": "16351", "gross": "165000", "expires_at": RFC3339,
    }
    s["quote"] = item_size(f"QUOTE#{ORDER_ID}", "QUOTE", quote, expires=True)
    s["idempotency key"] = item_size(
        f"IDEMPOTENCY#{RESELLER}#{HEX32}#" + "c" * 36, "KEY",
        {"hash": "f" * 64, "order": ORDER_ID}, expires=True)
    s["wallet"] = item_size(
        f"WALLET#customer:{RESELLER}:{HEX32}", "WALLET",
        {"holder": party_customer(), "parent": party_reseller(RESELLER), "currency": "IDR",
         "created_at": RFC3339}, counters=4)
    entry = {"id": "9f8e7d6c5b4a3928", "wallet": f"customer:{RESELLER}:{HEX32}", "kind": "capture",
             "amount": "165000", "currency": "IDR", "at": MILLIS_AT, "by": "registrar",
             "reason": f"order {ORDER_ID} {DOMAIN}", "reference": f"order:{ORDER_ID}", "leg": 0}
    s["ledger entry"] = item_size(
        f"WALLET#customer:{RESELLER}:{HEX32}", "ENTRY#1795346251683#9f8e7d6c5b4a3928", entry)
    s["ledger entry by month"] = item_size(
        f"MONTH#customer:{RESELLER}:{HEX32}#2026-11", "1795346251683#9f8e7d6c5b4a3928", entry)
    domain = {"name": DOMAIN, "display": DOMAIN, "ext": "co.id", "reseller": RESELLER,
              "customer": HEX32, "status": "active", "expires": "2027-11-22", "auto_renew": True,
              "premium": False,
              "history": [event(f"registration for 1 year(s), order {ORDER_ID}; expires 2027-11-22")]}
    s["domain"] = item_size(f"DOMAIN#{DOMAIN}", "DOMAIN", domain)
    dsum = {"name": DOMAIN, "display": DOMAIN, "status": "active", "expires": "2027-11-22",
            "auto_renew": True, "customer": HEX32}
    s["domain copy"] = item_size(f"DOMAINS#{RESELLER}", DOMAIN, dsum)
    s["expiry index"] = item_size("EXPIRY#2027-11-22", DOMAIN, {"name": DOMAIN})
    inv_party = {"name": "PT Toko Budi Digital", "company": "PT Toko Budi Digital",
                 "tax_id": "01.234.567.8-901.000",
                 "address": ["Jl. Merdeka No. 17", "Bandung 40111", "Indonesia"],
                 "email": "billing@tokobudi.co.id"}
    invoice = {
        "seller": party_reseller(RESELLER), "buyer": party_customer(),
        "reference": f"order:{ORDER_ID}", "language": "id",
        "invoice": {"kind": "tax", "number": "INV/2026/000123", "issued": "2026-11-22",
                    "due": None, "period": None, "seller": inv_party,
                    "buyer": {"name": "Budi Santoso", "company": None, "tax_id": None,
                              "address": [], "email": "budi@example.co.id"},
                    "currency": "IDR", "tax": {"label": "PPN", "percent": "11", "rounding": "half_even"},
                    "display": "inclusive",
                    "lines": [{"description": f"{DOMAIN} — registration, 1 year", "quantity": 1,
                               "unit": "148649"}],
                    "payment": None, "notes": [f"Order {ORDER_ID}"]},
    }
    s["invoice"] = item_size(f"INVOICE#reseller:{RESELLER}#INV/2026/000123", "INVOICE", invoice)
    s["invoice copy"] = item_size(
        f"INVOICES#customer:{RESELLER}:{HEX32}", "2026-11-22#INV/2026/000123",
        {"number": "INV/2026/000123", "kind": "tax", "issued": "2026-11-22",
         "reference": f"order:{ORDER_ID}", "seller": party_reseller(RESELLER),
         "gross": "165000", "currency": "IDR"})
    s["invoice sequence"] = item_size(f"INVSEQ#reseller:{RESELLER}#INV#2026", "SEQ", {"last": 123})
    s["sandbox registration"] = item_size(
        f"SANDBOX#{DOMAIN}", "REGISTRATION",
        {"domain": DOMAIN, "expires": "2027-11-22", "holder": "storefront-sandbox",
         "auth_code": "a1b2c3d4e5f6", "created": RFC3339})
    s["sandbox operation"] = item_size(
        f"SANDBOX-OP#{ORDER_ID}-1", "OPERATION",
        {"operation": {"id": ORDER_ID + "-1", "domain": DOMAIN, "years": 1, "kind": "register"},
         "outcome": {"done": {"expires": "2027-11-22"}}, "at": RFC3339})
    # Measured on the embedded store's files (JSON + keys): a session is
    # ~210 bytes, a profile ~510, a host or CURRENT pointer ~55, a
    # storefront's snapshot 12-16 KB.
    s["session"] = 210
    s["profile"] = 510
    s["host / CURRENT pointer"] = 60
    s["snapshot"] = 16_000
    return s


# ---------------------------------------------------------------------------
# Capacity rules (DynamoDB on-demand)
# ---------------------------------------------------------------------------

def rru(size: int) -> int:
    """A strongly consistent read: 1 unit per 4 KB, at least 1 (also when nothing is found)."""
    return max(1, math.ceil(size / 4096))


def wru(size: int, tx: bool) -> int:
    """A write: 1 unit per 1 KB (of the larger of the old and new item), at
    least 1 (also a delete of nothing); every item of TransactWriteItems
    costs twice that."""
    return max(1, math.ceil(size / 1024)) * (2 if tx else 1)


def steps(s: dict[str, int]):
    """(step, reads [(what, size)], queries [(what, bytes returned)],
    writes [(what, size)], transactional)."""
    order = lambda st: s[f"order/{st}"]  # noqa: E731
    copies = [("order copy", s["order copy (customer's list)"]),
              ("order copy", s["order copy (reseller's list)"])]
    queue = ("queue item", s["queue item (PROVISIONING, INVOICE_DUE)"])
    absent = 0  # a delete or read of nothing still costs the minimum
    legs = 4
    entries = [("ledger entry", s["ledger entry"])] * legs
    months = [("ledger entry by month", s["ledger entry by month"])] * legs
    wallets = [("wallet counters (UpdateItem ADD)", s["wallet"])] * legs
    request = [("session", s["session"]), ("profile", s["profile"]),
               ("host", s["host / CURRENT pointer"]), ("CURRENT pointer", s["host / CURRENT pointer"])]
    return [
        ("POST /api/orders/quote: session, profile, storefront", request, [], [], False),
        ("quote: availability (sandbox registry), store the quote",
         [("sandbox registration (absent)", absent)], [], [("quote", s["quote"])], False),
        ("POST /api/orders: session, profile, storefront", request, [], [], False),
        ("create: idempotency key, quote; order + copies + key",
         [("idempotency key (absent)", absent), ("quote", s["quote"])], [],
         [("order", order("new")), *copies, ("PROVISIONING delete (absent)", absent),
          ("idempotency key", s["idempotency key"])], True),
        ("pay: read order; hold 4 legs with the order",
         [("order", order("new"))], [],
         [("order", order("paid")), *copies, queue, *entries, *wallets], True),
        ("provision: read order twice; mark the line sent",
         [("order", order("paid")), ("order", order("paid"))], [],
         [("order", order("sent")), *copies, queue], True),
        ("sandbox registry: operation, name; record both",
         [("sandbox operation (absent)", absent), ("sandbox registration (absent)", absent)], [],
         [("sandbox operation", s["sandbox operation"]),
          ("sandbox registration", s["sandbox registration"])], True),
        ("settle: read order, domain; capture 4 legs, make the domain",
         [("order", order("sent")), ("domain (absent)", absent)], [],
         [("order", order("settled")), *copies, queue, ("PROVISIONING delete", s["queue item (PROVISIONING, INVOICE_DUE)"]),
          ("domain", s["domain"]), ("domain copy", s["domain copy"]), ("domain copy", s["domain copy"]),
          ("expiry index", s["expiry index"]), *entries, *months, *wallets], True),
        ("invoice run: order, queue, order, profile, sequence; invoice with the order",
         [("order", order("settled")), ("order", order("settled")), ("profile", s["profile"]),
          ("invoice sequence", s["invoice sequence"])],
         [("INVOICE_DUE queue", s["queue item (PROVISIONING, INVOICE_DUE)"]), ("INVOICE_DUE queue (empty)", 0)],
         [("invoice sequence", s["invoice sequence"]), ("order", order("invoiced")), *copies,
          ("INVOICE_DUE delete", s["queue item (PROVISIONING, INVOICE_DUE)"]),
          ("PROVISIONING delete (absent)", absent), ("invoice", s["invoice"]),
          ("invoice copy", s["invoice copy"])], True),
        ("answer: read the order", [("order", order("invoiced"))], [], [], False),
    ]


WRU_PRICE = 0.625 / 1e6  # USD, us-east-1 on-demand, since 2024-11-01
RRU_PRICE = 0.125 / 1e6


def main() -> None:
    s = sizes()
    print("Item sizes (bytes, estimated):")
    for k, v in s.items():
        print(f"  {k:42s} {v:6d}")
    print()
    total_r = total_w = gets = queries = calls = 0
    sandbox_r = sandbox_w = request_r = 0
    print(f"{'step':72s} {'gets':>4s} {'qry':>4s} {'RRU':>5s} {'items':>5s} {'WRU':>5s}")
    for name, reads, qs, writes, tx in steps(s):
        r = sum(rru(size) for _, size in reads) + sum(rru(size) for _, size in qs)
        w = sum(wru(size, tx and len(writes) > 1) for _, size in writes)
        total_r += r
        total_w += w
        if name.startswith("POST"):
            request_r += r
        else:
            gets += len(reads)
            queries += len(qs)
            calls += 1 if writes else 0
        if name.startswith("sandbox"):
            sandbox_w += w
            sandbox_r += r
        if name.startswith("quote"):
            sandbox_r += 1  # the availability check reads SANDBOX#<name>
        print(f"{name:72s} {len(reads):4d} {len(qs):4d} {r:5d} {len(writes):5d} {w:5d}")
    print()
    print(f"engine store calls per order: {gets} gets, {queries} queries, {calls} writes"
          " (BENCHMARKS.md, concurrency 1: 15 gets, 7 transactions)")
    print(f"per order:        {total_r} RRU, {total_w} WRU"
          f"  (of which the two requests' session/profile/storefront reads: {request_r} RRU;"
          f" the sandbox registry: {sandbox_r} RRU, {sandbox_w} WRU)")
    print(f"per 1,000 orders: {total_r * 1000:,} RRU, {total_w * 1000:,} WRU")
    cost = total_r * 1000 * RRU_PRICE + total_w * 1000 * WRU_PRICE
    print(f"on-demand, us-east-1: ${total_w * 1000 * WRU_PRICE:.4f} writes + "
          f"${total_r * 1000 * RRU_PRICE:.4f} reads = ${cost:.4f} per 1,000 orders")
    print(f"without the sandbox (a real registrar): {total_r - sandbox_r} RRU, {total_w - sandbox_w} WRU per order")
    print("each leg more or less (a deeper or shallower reseller chain): 10 WRU"
          " (pay: entry + wallet; settle: entry + month entry + wallet; 2 WRU each)")
    print(f"cold start of a function instance, extra: up to {rru(s['snapshot'])} RRU (snapshot)"
          f" + 4 RRU (the four wallets, once)")


if __name__ == "__main__":
    main()
