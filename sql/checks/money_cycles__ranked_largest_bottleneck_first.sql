-- cycle_rank runs 1, 2, 3, ... in each scenario, and a cycle ranked after another has no larger a
-- bottleneck_usd and no earlier a bottleneck edge in money_edges.weight_rank (its lightest edge, the
-- last of equally light ones). Returns the cycles that break this.
with hops as (
    select
        money_cycles.scenario,
        money_cycles.cycle_rank,
        money_cycles.bottleneck_usd,
        money_cycles.cycle[i] as source,
        money_cycles.cycle[i % len(money_cycles.cycle) + 1] as target
    from money_cycles, range(1, len(money_cycles.cycle) + 1) as positions(i)
),

bottlenecks as (
    select hops.scenario, hops.cycle_rank, hops.bottleneck_usd, max(money_edges.weight_rank) as bottleneck_edge_rank
    from hops
    inner join money_edges using (scenario, source, target)
    group by all
),

in_order as (
    select
        *,
        row_number() over by_rank as expected_rank,
        lag(bottleneck_usd) over by_rank as previous_bottleneck_usd,
        lag(bottleneck_edge_rank) over by_rank as previous_bottleneck_edge_rank
    from bottlenecks
    window by_rank as (partition by scenario order by cycle_rank)
)

select scenario, cycle_rank, bottleneck_usd, bottleneck_edge_rank
from in_order
where cycle_rank <> expected_rank
   or bottleneck_usd > previous_bottleneck_usd
   or bottleneck_edge_rank < previous_bottleneck_edge_rank
