"""published/report.html: one self-contained page (inline CSS and SVG, no scripts, no network) built
from the published snapshot of the run, so every number on it is one an analyst can query.

Sections: what changed since the last run (the lines `make run` ends with), the money-flow network, the
top round trips and money cycles with their cited sources, reported backlog against tracked commitments,
deal candidates to review, provider concentration, price per PFLOP-hour by chip over time, the deal
timeline, and how well the figures are sourced (data_quality).
"""

import html
import math
from collections import Counter
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from datetime import date
from urllib.parse import urlsplit

import altair as alt
import duckdb
import networkx as nx
import vl_convert

CAPITAL, SPEND_BACK = "#2f6fb3", "#d9822b"
LISTED = 30  # flow ids listed in one table cell; the rest are counted (a metric row may cite millions)
# Distinct colours for the series of one chart (Tableau 20), so that no two lines share one.
SERIES = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2", "#d7b5a6", "#79706e",
]  # fmt: skip

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #1d2330; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.4rem; border-bottom: 1px solid #dde2ea; }
.lede { color: #566074; } table { border-collapse: collapse; width: 100%; margin: .6rem 0; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eef0f4; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sources a { margin-right: .4rem; font-size: .85em; } svg { display: block; max-width: 100%; height: auto; }
.legend span { display: inline-block; margin-right: 1.2rem; } .swatch { display: inline-block; width: 1.6rem;
       height: .5rem; margin-right: .3rem; vertical-align: middle; }
.note { color: #566074; font-size: .9em; } .sources a { overflow-wrap: anywhere; }
.chart svg { width: 100%; }
/* the network's scenario switch: the drawing of the checked scenario is shown */
#network-firm:checked ~ svg .scenario-headline, #network-headline:checked ~ svg .scenario-firm { display: none; }
.network-switch label { margin: 0 .8rem 0 .2rem; }
/* a phone: wide tables scroll inside themselves, the page never sideways */
@media (max-width: 700px) {
  body { margin: 1rem auto; font-size: 13px; } h1 { font-size: 1.3rem; }
  table { display: block; overflow-x: auto; } th, td { padding: .25rem .35rem; } td.sources { min-width: 16rem; }
}
/* paper: the whole width, no link colours, a table row or chart never split across pages */
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; color: #000; } a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; } tr, svg, .chart { break-inside: avoid; }
}
"""


def billions(usd) -> str:
    return "–" if usd is None else f"${float(usd) / 1e9:,.1f}B"


def disclosed(usd, undisclosed: int) -> str:
    """A sum of disclosed amounts beside the flows whose amount nobody disclosed: never "$0" for those."""
    if not undisclosed:
        return billions(usd)
    flows = f"{undisclosed} undisclosed" if undisclosed > 1 else "undisclosed"
    return flows if not usd else f"{billions(usd)} + {flows}"


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def rows(conn: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    result = conn.execute(sql, params or [])
    names = [d[0] for d in result.description]
    return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def first_listed(flow_ids: list[str]) -> tuple[list[str], str]:
    """The first LISTED flow ids, and 'and N more' for the rest: a row citing thousands of flows keeps the
    page small (all of them are in the table's flow_ids)."""
    ids = sorted(flow_ids)
    return ids[:LISTED], (f"and {len(ids) - LISTED:,} more" if len(ids) > LISTED else "")


def source_links(conn, flow_ids: list[str]) -> str:
    """Links to the sources of the first LISTED cited flows."""
    first, more = first_listed(flow_ids)
    cited = rows(
        conn, "select flow_id, source_url from deal_flows where list_contains(?, flow_id) order by flow_id", [first]
    )
    return "".join(
        f'<a href="{esc(r["source_url"])}" title="{esc(r["flow_id"])}">{esc(r["flow_id"])}</a>' for r in cited
    ) + (f'<span class="note">{more} (flow_ids)</span>' if more else "")


# --- the money-flow network -------------------------------------------------------------------------


CHANGES_LISTED = 12  # change lines shown; the changes table has them all
CHANGE_ORDER = ("status_changed", "flow_added", "flow_removed", "flow_changed", "price_moved", "metric_moved")


def _value(field: str, text: str | None) -> str:
    if text is None:
        return "none"
    try:
        number = float(text)
    except ValueError:
        return text
    if field.endswith("_usd"):
        return billions(number)
    return f"${number:,.2f}" if field == "usd_per_chip_hour" else f"{number:,.4g}"


def _change(c: dict) -> str:
    if c["kind"] in ("flow_added", "flow_removed"):
        return f"{c['kind'].replace('_', ' ')}: {c['item']}"
    moved = f"{_value(c['field'], c['old_value'])} → {_value(c['field'], c['new_value'])}"
    pct = "" if c["change_pct"] is None else f" ({c['change_pct']:+.1f}%)"
    where = "" if c["table_name"] == "deal_flows" else f"{c['table_name']} "
    return f"{where}{c['item']}: {c['field']} {moved}{pct}"


def change_lines(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """What changed since the last run, in a few lines: the report's first section and the end of `make run`."""
    changes = rows(conn, "select * from changes order by kind, table_name, item, field")
    if any(c["kind"] == "nothing_to_compare" for c in changes):
        return ["First run: there is no earlier snapshot to compare with."]
    if not changes:
        return ["Nothing changed since the last run."]
    changes.sort(key=lambda c: CHANGE_ORDER.index(c["kind"]))
    counts = Counter(c["kind"] for c in changes)
    summary = ", ".join(f"{counts[k]} {k.replace('_', ' ')}" for k in CHANGE_ORDER if counts[k])
    more = len(changes) - CHANGES_LISTED
    return [
        f"Compared with version {changes[0]['compared_with']}: {summary}.",
        *(_change(c) for c in changes[:CHANGES_LISTED]),
        *([f"... and {more} more (the changes table)"] if more > 0 else []),
    ]


SCENARIOS = ("headline", "firm")
FLOWS_IN_TOOLTIP = 12  # a company's largest flows listed when the pointer rests on it


def _company_flows(conn, scenario: str, names: dict[str, str]) -> dict[str, str]:
    """company -> its largest flows in the scenario as lines for its tooltip (with each source's site); only
    FLOWS_IN_TOOLTIP of them leave the database, however many flows a company has."""
    flows = rows(
        conn,
        """select company, flow_id, from_company, to_company, flow_type, amount_usd, source_url,
               count(*) over (partition by company) as flows
        from scenario_flows, unnest([from_company, to_company]) as party(company)
        where scenario = ?
        qualify row_number() over (partition by company order by amount_usd desc nulls last, flow_id) <= ?
        order by company, amount_usd desc nulls last, flow_id""",
        [scenario, FLOWS_IN_TOOLTIP],
    )
    lines: dict[str, list[str]] = {}
    for f in flows:
        parties = f"{names.get(f['from_company'], f['from_company'])} → {names.get(f['to_company'], f['to_company'])}"
        amount = disclosed(f["amount_usd"], int(f["amount_usd"] is None))
        lines.setdefault(f["company"], []).append(
            f"{parties}: {amount} ({f['flow_type'].replace('_', ' ')}; {f['flow_id']}; "
            f"{urlsplit(f['source_url']).netloc})"
        )
    more = {f["company"]: f["flows"] - FLOWS_IN_TOOLTIP for f in flows if f["flows"] > FLOWS_IN_TOOLTIP}
    return {
        company: "\n".join(ls) + (f"\n... and {more[company]} more" if company in more else "")
        for company, ls in lines.items()
    }


def network_svg(conn) -> str:
    """The money graph of each scenario (money_edges), one drawing per scenario and a switch between them
    (radio buttons and CSS, no script). Companies are placed by a force-directed layout computed here (networkx,
    fixed seed), so that companies that deal with each other sit together; each is labelled with its name
    beside it, and resting the pointer on it lists its flows with amounts, flow ids and sources' sites."""
    edges = rows(
        conn,
        """
        select edges.scenario, edges.source, edges.target, class.flow_class, class.usd
        from money_edges as edges
        cross join lateral (values ('capital', edges.capital_usd), ('spend_back', edges.spend_back_usd))
            as class(flow_class, usd)
        where class.usd > 0
        order by edges.scenario, class.usd desc, edges.source, edges.target, class.flow_class""",
    )
    if not edges:
        return "<p>No disclosed capital or spend-back flows.</p>"
    names = {r["company_id"]: r["name"] for r in rows(conn, "select company_id, name from companies")}
    graph: nx.Graph[str] = nx.Graph()
    graph.add_edges_from((e["source"], e["target"]) for e in edges)
    width, height, margin = 1000, 800, 40
    # The largest group of companies that deal with each other fills the drawing; the small separate groups
    # (a joint venture and its lenders) sit in a row along the bottom, each its nodes one under another.
    main, *small = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    layout = nx.spring_layout(graph.subgraph(main), k=2.5 / math.sqrt(len(main)), seed=7, iterations=300)
    xs, ys = [p[0] for p in layout.values()], [p[1] for p in layout.values()]
    bottom = height - margin - 24 * max((len(c) for c in small), default=0)
    position = {
        node: (
            margin + (width - 300 - margin) * (x - min(xs)) / ((max(xs) - min(xs)) or 1),
            margin + (bottom - 2 * margin) * (y - min(ys)) / ((max(ys) - min(ys)) or 1),
        )
        for node, (x, y) in layout.items()
    }
    for i, component in enumerate(small):
        for j, node in enumerate(sorted(component)):
            position[node] = (margin + i * (width - margin) / len(small), bottom + 24 * (j + 1))

    biggest = float(max(e["usd"] for e in edges))
    drawings = []
    for scenario in SCENARIOS:
        shown = [e for e in edges if e["scenario"] == scenario]
        flows = _company_flows(conn, scenario, names)
        parts = []
        for e in shown:
            (x1, y1), (x2, y2) = position[e["source"]], position[e["target"]]
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            cx, cy = mx + (y2 - y1) * 0.15, my - (x2 - x1) * 0.15  # bend so the two directions do not overlap
            stroke = 1 + 11 * math.sqrt(float(e["usd"]) / biggest)
            colour = CAPITAL if e["flow_class"] == "capital" else SPEND_BACK
            title = (
                f"{names.get(e['source'], e['source'])} → {names.get(e['target'], e['target'])}: "
                f"{billions(e['usd'])} ({e['flow_class'].replace('_', '-')}, {scenario})"
            )
            parts.append(
                f'<path class="edge" d="M{x1:.0f},{y1:.0f} Q{cx:.0f},{cy:.0f} {x2:.0f},{y2:.0f}" fill="none" '
                f'stroke="{colour}" stroke-opacity=".6" stroke-width="{stroke:.1f}" '
                f'marker-end="url(#arrow-{e["flow_class"]})"><title>{esc(title)}</title></path>'
            )
        for node in sorted({e["source"] for e in shown} | {e["target"] for e in shown}):
            x, y = position[node]
            name = names.get(node, node)
            parts.append(
                f'<g class="node"><title>{esc(name)} ({scenario})\n{esc(flows.get(node, ""))}</title>'
                f'<circle cx="{x:.0f}" cy="{y:.0f}" r="6" fill="#1d2330"/>'
                f'<text x="{x + 9:.0f}" y="{y + 4:.0f}" '
                f'paint-order="stroke" stroke="#fff" stroke-width="4" font-size="13">{esc(name)}</text></g>'
            )
        drawings.append(f'<g class="scenario-{scenario}">{"".join(parts)}</g>')
    markers = "".join(
        f'<marker id="arrow-{cls}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        f'markerUnits="userSpaceOnUse" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        for cls, colour in (("capital", CAPITAL), ("spend_back", SPEND_BACK))
    )
    switch = "".join(
        f'<input type="radio" name="network-scenario" id="network-{s}"{" checked" if s == "headline" else ""}>'
        f'<label for="network-{s}">{s}</label>'
        for s in SCENARIOS
    )
    legend = (
        f'<p class="legend"><span><i class="swatch" style="background:{CAPITAL}"></i>capital (who funds whom)'
        f'</span><span><i class="swatch" style="background:{SPEND_BACK}"></i>spend-back (who spends back)</span>'
        "<span>width: disclosed amount; rest the pointer on a company for its flows</span></p>"
    )
    return (
        f'<div class="network-switch">scenario: {switch}{legend}<svg id="network" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Money-flow network"><defs>{markers}</defs>{"".join(drawings)}</svg></div>'
    )


# --- charts ---------------------------------------------------------------------------------------


def _point(value: float, money: bool) -> str:
    if not money:
        return f"{value:,.2f}"
    return billions(value) if value else "none"


def line_chart(
    chart_id: str,
    series: dict[str, list[tuple[date, float]]],
    y_label: str,
    x_label: str,
    money=False,
    dashed: AbstractSet[str] = frozenset(),
    labels: Mapping[tuple[str, date], str] | None = None,  # (series, day) -> the point's value as text
) -> str:
    """Lines over time as an SVG drawn by Vega-Lite (Altair, rendered by vl-convert, offline): a time axis
    with year and month ticks, round y ticks, the unit on each axis, one colour per series (up to 20).
    Each point's aria-label says its value, `labels` where the number alone would mislead."""
    points = [
        {
            "day": day.isoformat(),
            "value": value / 1e9 if money else value,
            "series": name,
            "line": "dashed" if name in dashed else "solid",
            "label": f"{name} {day.isoformat()}: {(labels or {}).get((name, day)) or _point(value, money)}",
        }
        for name, pts in series.items()
        for day, value in pts
    ]
    if not points:
        return "<p>No data yet.</p>"
    names = list(series)
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("day:T", title=x_label),
            y=alt.Y("value:Q", title=f"{y_label}, billions" if money else y_label, axis=alt.Axis(format=",.4~g")),
            color=alt.Color(
                "series:N",
                sort=names,
                scale=alt.Scale(domain=names, range=SERIES[: len(names)]),
                legend=alt.Legend(title=None, orient="right", labelLimit=260),
            ),
            strokeDash=alt.StrokeDash(
                "line:N", scale=alt.Scale(domain=["solid", "dashed"], range=[[1, 0], [7, 4]]), legend=None
            ),
            description="label:N",
        )
        .properties(width=720, height=300)
    )
    # Altair checks the spec against the Vega-Lite schema and walks every point of its data: 5 s for 10k points.
    # The spec is the same on every run and the tests render it, so it is built unchecked and the points put in after.
    spec = chart.to_dict(validate=False)
    spec["data"] = {"values": points}
    svg = vl_convert.vegalite_to_svg(spec)
    return f'<div id="{chart_id}" class="chart">{svg}</div>'


# --- the page ---------------------------------------------------------------------------------------


def build(conn: duckdb.DuckDBPyConnection, run_day: str, version: str) -> str:
    counts = rows(
        conn,
        """select (select count(*) from deal_flows) as flows,
        (select count(*) from companies) as companies, (select count(*) from chip_prices) as prices,
        (select count(*) from quarantine) as quarantined""",
    )[0]
    # each side's flows with no disclosed amount, so that an undisclosed side is not printed as $0; the shown
    # trips' flow ids are unnested and joined on flow_id (a list_contains join would test every flow of the
    # scenario against every list)
    trips = rows(
        conn,
        """with shown as (
            select * from round_trips where scenario = 'headline' order by circular_usd desc limit 10
        ),
        cited as (select investor, investee, unnest(flow_ids) as flow_id from shown),
        undisclosed as (
            select cited.investor, cited.investee,
                   count(*) filter (where flows.flow_class = 'capital' and flows.amount_usd is null)
                       as capital_undisclosed,
                   count(*) filter (where flows.flow_class = 'spend_back' and flows.amount_usd is null)
                       as spend_back_undisclosed
            from cited
            inner join scenario_flows as flows on flows.scenario = 'headline' and flows.flow_id = cited.flow_id
            group by all
        )
        select shown.investor, shown.investee, shown.capital_usd, shown.spend_back_usd, shown.round_trip_ratio,
               shown.circular_usd, shown.flow_ids, undisclosed.capital_undisclosed,
               undisclosed.spend_back_undisclosed
        from shown
        inner join undisclosed using (investor, investee)
        order by shown.circular_usd desc, shown.investor, shown.investee""",
    )
    # A cycle cites its edges; the flows behind the cycles shown are those edges' flows.
    cycles = rows(
        conn,
        """with shown as (
            select * from money_cycles where scenario = 'headline' order by cycle_rank limit 10
        ),
        hops as (
            select cycle_rank, cycle[i] as source, cycle[i % len(cycle) + 1] as target
            from shown, range(1, len(cycle) + 1) as positions(i)
        )
        select shown.cycle, shown.hops, shown.bottleneck_usd, shown.gross_usd,
               list_sort(flatten(list(money_edges.flow_ids))) as flow_ids,
               shown.cycles_in_scenario, shown.cycles_counted_up_to
        from shown
        inner join hops using (cycle_rank)
        inner join money_edges on money_edges.scenario = 'headline'
                              and money_edges.source = hops.source and money_edges.target = hops.target
        group by shown.cycle_rank, shown.cycle, shown.hops, shown.bottleneck_usd, shown.gross_usd,
                 shown.cycles_in_scenario, shown.cycles_counted_up_to
        order by shown.cycle_rank""",
    )
    # every buyer pooled first (its own table, so that no sum over buyers counts a flow twice), then the six
    # largest buyers of the headline scenario
    concentration = rows(
        conn,
        """
        select scenario, 'all buyers' as buyer, providers, spend_usd, hhi, top_provider, top_share, big_three_share,
               provider_shares, 0 as position
        from market_concentration
        union all by name
        select scenario, buyer, providers, spend_usd, hhi, top_provider, top_share, big_three_share,
               provider_shares, 1 as position
        from provider_concentration
        where buyer in (select buyer from provider_concentration where scenario = 'headline'
                        order by spend_usd desc limit 6)
        order by scenario desc, position, spend_usd desc""",
    )
    prices = rows(
        conn,
        """select chip, custom_silicon, observed_on, median(usd_per_pflop_hour) as usd
        from price_performance where pricing = 'on_demand' and usd_per_pflop_hour is not null group by all
        order by chip, observed_on""",
    )
    timeline = rows(
        conn,
        """select flow_class, month, cumulative_usd,
        sum(undisclosed_flows) over (partition by flow_class order by month) as cumulative_undisclosed
        from deal_timeline where scenario = 'headline' and flow_class <> 'other' order by flow_class, month""",
    )
    quality = rows(
        conn,
        """select measure, source_tier, flows, headline_flows, headline_usd, share_of_headline_usd,
        target_share, meets_target, flow_ids from data_quality order by measure <> 'flows_by_source_tier', measure,
        list_position(['filing', 'company', 'major_outlet', 'other'], source_tier)""",
    )

    # each vendor's RPO over time beside the commitments standing then (headline), and its latest figure
    backlog = rows(
        conn,
        """select b.vendor, b.period_end, b.rpo_usd, b.committed_usd, b.committed_share, b.self_financed_usd,
               b.undisclosed_flows, b.flow_ids, r.form, r.filed_on, r.source_url,
               b.period_end = max(b.period_end) over (partition by b.vendor) as is_latest
        from backlog_coverage as b
        inner join reported_financials as r
            on r.company_id = b.vendor and r.concept = 'rpo' and r.period_end = b.period_end and r.period_start is null
        where b.scenario = 'headline' and b.period_end >= date '2023-01-01'
        order by b.vendor, b.period_end""",
    )

    candidates = rows(
        conn,
        """select candidate_id, company_id, counterparties, published_on, amount_usd, compute_gw, quote, source_url,
        count(*) over () as new_candidates
        from deal_candidates where state = 'new' order by published_on desc, candidate_id limit 20""",
    )

    def candidate_row(c):
        amount = [] if c["amount_usd"] is None else [billions(c["amount_usd"])]
        stated = " and ".join(amount + ([] if c["compute_gw"] is None else [f"{c['compute_gw']:g} GW"]))
        return (
            f"<tr><td>{c['published_on'].isoformat()}</td><td>{esc(c['company_id'])} → "
            f'{esc(", ".join(c["counterparties"]))}</td><td class="num">{stated}</td><td>{esc(c["quote"])}</td>'
            f'<td class="sources"><a href="{esc(c["source_url"])}">{esc(c["candidate_id"])}</a></td></tr>'
        )

    def candidates_section() -> str:
        if not candidates:
            return "<p>None: no filing or newsroom item read this run states a deal that no tracked flow restates.</p>"
        shown = f"the newest 20 of {candidates[0]['new_candidates']}" if candidates[0]["new_candidates"] > 20 else ""
        return (
            f'<table id="candidates-table"><caption class="note">{shown}</caption><tr><th>published</th>'
            '<th>filer → named</th><th class="num">states</th><th>sentence</th><th>source</th></tr>'
            + "".join(candidate_row(c) for c in candidates)
            + "</table>"
        )

    def backlog_row(b):
        # a share of undisclosed commitments would be a floor printed as a figure
        no_share = b["committed_share"] is None or (b["undisclosed_flows"] and not b["committed_usd"])
        share = "–" if no_share else f"{b['committed_share']:.1%}"
        return (
            f"<tr><td>{esc(b['vendor'])}</td><td>{b['period_end'].isoformat()}</td>"
            f'<td class="num">{billions(b["rpo_usd"])}</td><td class="num">'
            f'{disclosed(b["committed_usd"], b["undisclosed_flows"])}</td><td class="num">{share}</td>'
            f'<td class="num">{billions(b["self_financed_usd"]) if b["self_financed_usd"] else "–"}</td>'
            f'<td class="sources"><a href="{esc(b["source_url"])}">{esc(b["form"])} of {b["filed_on"].isoformat()}</a> '
            f"{source_links(conn, b['flow_ids'])}</td></tr>"
        )

    backlog_series: dict[str, list] = {}
    for b in backlog:
        backlog_series.setdefault(f"{b['vendor']} RPO", []).append((b["period_end"], float(b["rpo_usd"])))
    for b in backlog:
        backlog_series.setdefault(f"{b['vendor']} commitments", []).append((b["period_end"], float(b["committed_usd"])))
    backlog_labels = {
        (f"{b['vendor']} commitments", b["period_end"]): disclosed(b["committed_usd"], b["undisclosed_flows"])
        for b in backlog
        if b["undisclosed_flows"]
    }

    def trip_row(t):
        # a ratio or a circular sum only where both sides are disclosed; otherwise it would be a guess
        capital = disclosed(t["capital_usd"], t["capital_undisclosed"])
        spend_back = disclosed(t["spend_back_usd"], t["spend_back_undisclosed"])
        whole = not (t["capital_undisclosed"] or t["spend_back_undisclosed"])
        ratio = f"{t['round_trip_ratio']:.1f}×" if whole and t["round_trip_ratio"] is not None else "–"
        if t["circular_usd"]:
            circular = billions(t["circular_usd"]) + ("" if whole else " or more")
        else:
            circular = "–" if whole else "undisclosed"
        return (
            f'<tr><td>{esc(t["investor"])} → {esc(t["investee"])}</td><td class="num">{capital}'
            f'</td><td class="num">{spend_back}</td><td class="num">{ratio}</td>'
            f'<td class="num">{circular}</td>'
            f'<td class="sources">{source_links(conn, t["flow_ids"])}</td></tr>'
        )

    def cycle_row(c):
        loop = " → ".join(esc(n) for n in [*c["cycle"], c["cycle"][0]])
        return (
            f'<tr><td>{loop}</td><td class="num">{c["hops"]}</td><td class="num">{billions(c["bottleneck_usd"])}</td>'
            f'<td class="num">{billions(c["gross_usd"])}</td><td class="sources">{source_links(conn, c["flow_ids"])}'
            "</td></tr>"
        )

    def cycles_found() -> str:
        if not cycles:
            return "The headline scenario has none."
        if cycles[0]["cycles_in_scenario"] is not None:
            return f"The headline scenario has {cycles[0]['cycles_in_scenario']:,} of them."
        return (
            f"The headline scenario has at least {cycles[0]['cycles_counted_up_to']:,} of them (the search "
            "stops once AIINFRA_MAX_CYCLES are found)."
        )

    def concentration_row(c):
        bar = "".join(
            f'<rect x="{sum(s["share"] for s in c["provider_shares"][:i]) * 300:.1f}" y="0" '
            f'width="{s["share"] * 300:.1f}" height="14" fill="{SERIES[i % len(SERIES)]}">'
            f"<title>{esc(s['provider'])}: {s['share']:.0%}</title></rect>"
            for i, s in enumerate(c["provider_shares"])
        )
        return (
            f'<tr><td>{esc(c["scenario"])}</td><td>{esc(c["buyer"])}</td><td class="num">{c["providers"]}</td>'
            f'<td class="num">{billions(c["spend_usd"])}</td><td class="num">{c["hhi"]:,.0f}</td>'
            f'<td>{esc(c["top_provider"])} ({c["top_share"]:.0%})</td><td class="num">{c["big_three_share"]:.0%}</td>'
            f'<td><svg class="shares" viewBox="0 0 300 14" width="300">{bar}</svg></td></tr>'
        )

    def quality_row(q):
        label = {
            "flows_by_source_tier": f"best source: {q['source_tier']}",
            "on_primary_document": "headline flows citing a company release or filing",
            "not_reverified": "flows not re-verified within the re-verification period",
            "unverified": "unverified flows (published, counted in no scenario)",
        }[q["measure"]]
        target = (
            ""
            if q["target_share"] is None
            else (f" (target {q['target_share']:.0%}: {'met' if q['meets_target'] else 'NOT met'})")
        )
        share = "–" if q["share_of_headline_usd"] is None else f"{q['share_of_headline_usd']:.1%}"
        first, more = first_listed(q["flow_ids"] if q["measure"] in ("not_reverified", "unverified") else [])
        listed = ", ".join(esc(f) for f in first) + (f" {more}" if more else "")
        return (
            f'<tr><td>{label}</td><td class="num">{q["flows"]}</td><td class="num">{q["headline_flows"]}</td>'
            f'<td class="num">{billions(q["headline_usd"]) if q["headline_flows"] else "–"}</td>'
            f'<td class="num">{share}{target}</td>'
            f'<td class="note">{listed}</td></tr>'
        )

    price_series: dict[str, list] = {}
    for p in sorted(prices, key=lambda p: (not p["custom_silicon"], p["chip"])):
        label = f"{p['chip']} ({'custom' if p['custom_silicon'] else 'merchant'})"
        price_series.setdefault(label, []).append((p["observed_on"], float(p["usd"])))
    timeline_series: dict[str, list] = {}
    timeline_labels = {}
    for t in timeline:
        name = t["flow_class"].replace("_", "-")
        timeline_series.setdefault(name, []).append((t["month"], float(t["cumulative_usd"])))
        if t["cumulative_undisclosed"]:
            timeline_labels[(name, t["month"])] = disclosed(t["cumulative_usd"], int(t["cumulative_undisclosed"]))

    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AI-infrastructure deals — {esc(run_day)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>AI-infrastructure deals and the money that goes round</h1>
<p class="lede">Run of {esc(run_day)}, published as version {esc(version)}: {counts["flows"]} cited deal flows between {
        counts["companies"]
    } companies,
{counts["prices"]} hourly price observations, {counts["quarantined"]} rejected input rows (see the
<code>quarantine</code> table). Headline scenario: every flow except superseded, cancelled, lapsed, walked-back and
unverified ones; firm: headline flows with firm terms that a party announced or that closed (no options, letters of
intent or press reports alone). Amounts are disclosed nominal USD; undisclosed flows are counted, not valued.</p>

<h2 id="changes">Since the last run</h2>
<ul id="changes-list">{"".join(f"<li>{esc(line)}</li>" for line in change_lines(conn))}</ul>

<h2 id="network-section">Who funds whom, and who spends back</h2>
{network_svg(conn)}

<h2 id="round-trips">Top round trips</h2>
<p class="note">Capital from an investor into a company, against what that company commits back to the investor;
circular = the smaller of the two.</p>
<table id="round-trips-table"><tr><th>investor → investee</th><th class="num">capital</th>
<th class="num">spend back</th><th class="num">ratio</th><th class="num">circular</th><th>sources</th></tr>
{"".join(trip_row(t) for t in trips)}</table>

<h2 id="cycles">Largest money cycles</h2>
<p class="note">Closed loops of 2–5 companies; the bottleneck is the most money that can go round the whole loop.
{cycles_found()}</p>
<table id="cycles-table"><tr><th>cycle</th><th class="num">hops</th><th class="num">bottleneck</th>
<th class="num">gross</th><th>sources</th></tr>
{"".join(cycle_row(c) for c in cycles)}</table>

<h2 id="backlog">Reported backlog against tracked commitments</h2>
<p class="note">Each vendor's remaining performance obligations (RPO) as its SEC filings report them, beside the
disclosed commitments to it that stood on that day (headline; dashed). A commitment counts its whole term, part of
which may already be revenue, so the two are sizes side by side, not a part of a whole.</p>
{
        line_chart(
            "backlog-chart",
            backlog_series,
            "USD",
            "period end",
            money=True,
            dashed={name for name in backlog_series if name.endswith("commitments")},
            labels=backlog_labels,
        )
    }
<table id="backlog-table"><tr><th>vendor</th><th>RPO at</th><th class="num">RPO</th>
<th class="num">commitments</th><th class="num">share</th><th class="num">self-financed</th><th>sources</th></tr>
{"".join(backlog_row(b) for b in backlog if b["is_latest"])}</table>

<h2 id="candidates">Deal candidates to review</h2>
<p class="note">Sentences of SEC filings and company newsroom items that name another tracked company with an
amount or a capacity and restate no tracked flow (<code>deal_candidates</code>, state <code>new</code>). They count
nowhere until a person checks them and adds them to the deals file (<code>make review</code>, then
<code>make accept CANDIDATE=…</code>).</p>
{candidates_section()}

<h2 id="concentration">Provider concentration</h2>
<p class="note">HHI of disclosed compute spending across providers (0–10,000; above 1,800 is highly concentrated):
all buyers together first, then each of the six largest buyers; the bar shows each provider's share.</p>
<table id="concentration-table"><tr><th>scenario</th><th>buyer</th><th class="num">providers</th>
<th class="num">spend</th><th class="num">HHI</th><th>top provider</th><th class="num">Big Three</th>
<th>shares</th></tr>
{"".join(concentration_row(c) for c in concentration)}</table>

<h2 id="price-performance">Price per PFLOP-hour by chip</h2>
<p class="note">Median on-demand price per dense-BF16 PFLOP-hour across providers, each day observed; custom silicon
(Trainium, Inferentia, TPU; dashed) against Nvidia and AMD (solid).</p>
{
        line_chart(
            "price-chart",
            price_series,
            "USD per PFLOP-hour",
            "day observed",
            dashed={name for name in price_series if name.endswith("(custom)")},
        )
    }

<h2 id="timeline">Deal timeline</h2>
<p class="note">Cumulative disclosed money announced, by flow class (headline).</p>
{
        line_chart(
            "timeline-chart",
            timeline_series,
            "cumulative USD",
            "month announced",
            money=True,
            labels=timeline_labels,
        )
    }

<h2 id="data-quality">How well the figures are sourced</h2>
<p class="note">Every flow cites where its figure is stated; a figure rests on a primary document (a company release
or a regulatory filing) or on two independent reputable outlets, else it is published as unverified and counted in
no scenario. Shares are of all headline dollars (the <code>data_quality</code> table).</p>
<table id="data-quality-table"><tr><th>measure</th><th class="num">flows</th><th class="num">in headline</th>
<th class="num">headline USD</th><th class="num">share of headline USD</th><th>flows</th></tr>
{"".join(quality_row(q) for q in quality)}</table>
</body></html>
"""
