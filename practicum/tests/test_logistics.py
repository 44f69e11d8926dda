"""Shipping quotes from China on the real logistics_channels.csv rows: stepped prices, containers,
limits and refusals (data/reference/README.md, "logistics_channels.csv"). Pure: no database."""

import csv
import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from practicum.logistics import ChannelRow, LogisticsInputError, channels_compare, shipping_quote

D = Decimal


def _reference_dir() -> Path:
    """The project's copy of the reference data when there is one, else data/reference/."""
    app = Path(__file__).resolve().parents[1]
    candidates = (app / "reference", app.parent / "data" / "reference")
    return next(folder for folder in candidates if (folder / "logistics_channels.csv").exists())


def _channels() -> dict[str, ChannelRow]:
    with open(_reference_dir() / "logistics_channels.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return {
        r["code"]: ChannelRow(
            code=r["code"], name=r["name"], kind=r["kind"], markets=frozenset(r["markets"].split()),
            transit_days_min=int(r["transit_days_min"]), transit_days_max=int(r["transit_days_max"]),
            first_weight_g=int(r["first_weight_g"]), first_price_cny=D(r["first_price_cny"]), step_g=int(r["step_g"]),
            step_price_cny=D(r["step_price_cny"]), max_weight_g=int(r["max_weight_g"]),
            ddp_capable=r["ddp_capable"] == "yes", batteries_allowed=r["batteries_allowed"] == "yes",
            loss_rate_pct=D(r["loss_rate_pct"]), effective_from=date.fromisoformat(r["effective_from"]),
            notes=r["notes"], ref=f"logistics_channels:{r['code']}:{r['effective_from']}",
        )
        for r in rows
    }


CHANNELS = _channels()


def quote(code, weight_g, *, market="PL", has_battery=False, incoterm="DAP"):
    return shipping_quote(CHANNELS[code], market=market, weight_g=weight_g, has_battery=has_battery, incoterm=incoterm)


def reason_codes(q):
    return {note.code for note in q.reasons}


@pytest.mark.parametrize(
    ("code", "weight_g", "price"),
    [
        ("EPACKET", 1, "28.00"),
        ("EPACKET", 100, "28.00"),
        ("EPACKET", 101, "37.00"),
        ("EPACKET", 200, "37.00"),
        ("EPACKET", 201, "46.00"),
        ("EPACKET", 2000, "199.00"),
        ("EXPRESS", 500, "180.00"),
        ("EXPRESS", 501, "240.00"),
        ("EXPRESS", 1000, "240.00"),
        ("EXPRESS", 1001, "300.00"),
        ("ECOM_LINE", 30000, "1535.00"),
    ],
)
def test_price_is_the_first_weight_plus_each_started_step(code, weight_g, price):
    """Up to the first weight the first price; 1 g over starts a step; a step boundary does not."""
    q = quote(code, weight_g)
    assert q.available
    assert q.price_cny == D(price)
    assert q.price_cny.as_tuple().exponent == -2


def test_the_price_formula_shows_the_steps():
    """The price is explained with its numbers: ePacket 250 g is CNY 28 + 2 steps × CNY 9."""
    assert quote("EPACKET", 250).price_formula == (
        "CNY 28 for the first 100 g + ceil(150 g / 100 g) = 2 steps × CNY 9 = CNY 46.00"
    )


@pytest.mark.parametrize("weight_g", [1, 500_000, 26_000_000])
def test_a_container_has_one_price_up_to_its_maximum(weight_g):
    """Sea freight (step 0) costs CNY 20,000 per container whatever the load up to 26 t."""
    q = quote("SEA_FCL", weight_g, market="US")
    assert q.available and q.price_cny == D("20000.00")
    assert "container" in {note.code for note in q.restrictions}


@pytest.mark.parametrize(("code", "limit"), [("EPACKET", 2000), ("ECOM_LINE", 30000), ("SEA_FCL", 26_000_000)])
def test_a_parcel_over_the_maximum_weight_is_refused(code, limit):
    """At the maximum weight the channel takes it; one gram more is refused, with no price."""
    assert quote(code, limit, market="DE").available
    over = quote(code, limit + 1, market="DE")
    assert not over.available and over.price_cny is None
    assert reason_codes(over) == {"over_max_weight"}


@pytest.mark.parametrize("code", ["CNPOST_SMALL", "EPACKET"])
def test_postal_channels_refuse_batteries(code):
    """Postal channels do not carry batteries; the same parcel without one is accepted."""
    refused = quote(code, 230, has_battery=True)
    assert not refused.available and reason_codes(refused) == {"battery_refused"}
    assert quote(code, 230, has_battery=False).available
    assert "no_batteries" in {note.code for note in refused.restrictions}


def test_lines_and_express_carry_batteries():
    """The e-commerce line and express accept a power bank."""
    assert quote("ECOM_LINE", 230, has_battery=True).available
    assert quote("EXPRESS", 230, has_battery=True).available


def test_a_market_the_channel_does_not_serve_is_refused():
    """Rail serves PL, DE, KZ and RU only; "*" channels serve every market."""
    assert quote("RAIL_FCL", 1_000_000, market="KZ").available
    refused = quote("RAIL_FCL", 1_000_000, market="US")
    assert not refused.available and reason_codes(refused) == {"market_not_served"}
    assert quote("EPACKET", 100, market="ID").available


def test_ddp_needs_a_ddp_capable_channel():
    """ePacket cannot clear customs for the seller: DDP is refused, DAP accepted; the e-commerce line does DDP."""
    refused = quote("EPACKET", 300, incoterm="DDP")
    assert not refused.available and reason_codes(refused) == {"ddp_not_supported"}
    assert quote("EPACKET", 300, incoterm="DAP").available
    assert quote("ECOM_LINE", 300, incoterm="DDP").available


def test_every_refusal_reason_is_reported_at_once():
    """A 3 kg power bank sent DDP by ePacket breaks three rules, and all three are listed."""
    refused = quote("EPACKET", 3000, has_battery=True, incoterm="DDP")
    assert reason_codes(refused) == {"over_max_weight", "battery_refused", "ddp_not_supported"}
    assert all(note.text for note in refused.reasons)


def test_a_quote_carries_transit_loss_and_the_row_it_came_from():
    """Transit days, loss rate and the channel row's ref are passed through for the comparison table."""
    q = quote("CNPOST_SMALL", 100)
    assert (q.transit_days_min, q.transit_days_max, q.loss_rate_pct) == (15, 40, D("1.5"))
    assert q.ref == "logistics_channels:CNPOST_SMALL:2025-01-01"


@pytest.mark.parametrize("weight_g", [0, -1, 1.5, True, "100", D("100"), None])
def test_weight_must_be_a_positive_integer_of_grams(weight_g):
    """Grams are a positive int: zero, negatives, floats, bools, strings and Decimals are refused."""
    with pytest.raises(LogisticsInputError, match="positive integer of grams"):
        quote("EPACKET", weight_g)


@pytest.mark.parametrize(("field", "value"), [("incoterm", "CIF"), ("market", ""), ("market", "*"), ("has_battery", "no")])
def test_other_bad_parcel_inputs_are_refused(field, value):
    """An incoterm other than DDP/DAP, an empty or wildcard market, a non-bool battery flag are errors."""
    kwargs = {"market": "PL", "weight_g": 100, "has_battery": False, "incoterm": "DAP", field: value}
    with pytest.raises(LogisticsInputError):
        shipping_quote(CHANNELS["EPACKET"], **kwargs)


def test_a_channel_row_with_a_float_price_is_refused():
    """Prices are Decimals: a float in a channel row is a caller's mistake."""
    with pytest.raises(LogisticsInputError, match="first_price_cny"):
        shipping_quote(dataclasses.replace(CHANNELS["EPACKET"], first_price_cny=28.0),
                       market="PL", weight_g=100, has_battery=False, incoterm="DAP")


def test_compare_lists_available_channels_cheapest_first_then_the_refused():
    """A 1.2 kg power bank to Poland, DDP: the line beats express and warehouse; postal, rail, sea are out."""
    quotes = channels_compare(CHANNELS.values(), market="PL", weight_g=1200, has_battery=True, incoterm="DDP")
    assert len(quotes) == len(CHANNELS)
    available = [q for q in quotes if q.available]
    assert [q.channel for q in available] == ["WH_LASTMILE", "ECOM_LINE", "EXPRESS"]
    assert [q.price_cny for q in available] == [D("42.00"), D("110.00"), D("300.00")]
    refused = quotes[len(available):]
    assert {q.channel for q in refused} == {"CNPOST_SMALL", "EPACKET", "RAIL_FCL", "SEA_FCL"}
    assert all(q.reasons and q.price_cny is None for q in refused)


@given(
    code=st.sampled_from(sorted(CHANNELS)),
    a=st.integers(min_value=1, max_value=30_000),
    b=st.integers(min_value=1, max_value=30_000),
)
def test_a_heavier_parcel_never_costs_less(code, a, b):
    """On any channel, within its maximum weight, the price never falls as the weight rises."""
    light, heavy = sorted((a, b))
    channel = CHANNELS[code]
    if heavy > channel.max_weight_g:
        return
    kwargs = {"market": next(iter(channel.markets - {"*"}), "PL"), "has_battery": False, "incoterm": "DAP"}
    low = shipping_quote(channel, weight_g=light, **kwargs).price_cny
    high = shipping_quote(channel, weight_g=heavy, **kwargs).price_cny
    assert channel.first_price_cny <= low <= high
