-- Each hop of a cycle (the last one back to the start included) is an edge of money_edges in that
-- scenario; bottleneck_usd and gross_usd are the least and the sum of those edges' weights, and
-- bottleneck_edge_rank is the last weight_rank among them (the lightest edge, of equally light ones the
-- last ranked). Returns the cycles that break this.
with hops as (
    select
        money_cycles.scenario,
        money_cycles.cycle,
        money_cycles.bottleneck_usd,
        money_cycles.gross_usd,
        money_cycles.bottleneck_edge_rank,
        money_cycles.cycle[i] as source,
        money_cycles.cycle[i % len(money_cycles.cycle) + 1] as target
    from money_cycles, range(1, len(money_cycles.cycle) + 1) as positions (i)
)

select
    hops.scenario,
    hops.cycle
from hops
left join money_edges using (scenario, source, target)
group by hops.scenario, hops.cycle, hops.bottleneck_usd, hops.gross_usd, hops.bottleneck_edge_rank
having
    count(money_edges.weight_usd) <> count(*)
    or min(money_edges.weight_usd) <> hops.bottleneck_usd
    or sum(money_edges.weight_usd) <> hops.gross_usd
    or max(money_edges.weight_rank) <> hops.bottleneck_edge_rank
