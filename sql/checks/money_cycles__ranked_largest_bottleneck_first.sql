-- cycle_rank runs 1, 2, 3, ... in each scenario, and a cycle ranked after another has no larger a
-- bottleneck_usd and no earlier a bottleneck edge (bottleneck_edge_rank, which hops_are_edges checks
-- against money_edges). Returns the cycles that break this.
with in_order as (
    select
        scenario,
        cycle_rank,
        bottleneck_usd,
        bottleneck_edge_rank,
        row_number() over by_rank as expected_rank,
        lag(bottleneck_usd) over by_rank as previous_bottleneck_usd,
        lag(bottleneck_edge_rank) over by_rank as previous_bottleneck_edge_rank
    from money_cycles
    window by_rank as (partition by scenario order by cycle_rank)
)

select
    scenario,
    cycle_rank,
    bottleneck_usd,
    bottleneck_edge_rank
from in_order
where
    cycle_rank <> expected_rank
    or bottleneck_usd > previous_bottleneck_usd
    or bottleneck_edge_rank < previous_bottleneck_edge_rank
