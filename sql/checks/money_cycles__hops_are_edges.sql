-- Each hop of a cycle (the last one back to the start included) is an edge of money_edges in that
-- scenario, and bottleneck_usd and gross_usd are the least and the sum of those edges' weights.
-- Returns the cycles that break this.
with hops as (
    select
        money_cycles.scenario,
        money_cycles.cycle,
        money_cycles.bottleneck_usd,
        money_cycles.gross_usd,
        money_cycles.cycle[i] as source,
        money_cycles.cycle[i % len(money_cycles.cycle) + 1] as target
    from money_cycles, range(1, len(money_cycles.cycle) + 1) as positions(i)
)

select hops.scenario, hops.cycle
from hops
left join money_edges using (scenario, source, target)
group by hops.scenario, hops.cycle, hops.bottleneck_usd, hops.gross_usd
having count(money_edges.weight_usd) <> count(*)
    or min(money_edges.weight_usd) <> hops.bottleneck_usd
    or sum(money_edges.weight_usd) <> hops.gross_usd
