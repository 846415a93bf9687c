-- Each hop of a cycle (the last one back to the start included) is an edge of the money graph:
-- disclosed capital or spend-back flows in that direction, in that scenario. bottleneck_usd and
-- gross_usd are the least and the sum of those edges' weights. Returns the cycles that break this.
with edges as (
    select scenario, from_company as source, to_company as target, sum(amount_usd) as weight
    from scenario_flows
    where flow_class in ('capital', 'spend_back')
      and amount_usd is not null
    group by all
),

hops as (
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
left join edges using (scenario, source, target)
group by hops.scenario, hops.cycle, hops.bottleneck_usd, hops.gross_usd
having count(edges.weight) filter (where edges.weight > 0) <> count(*)
    or min(edges.weight) <> hops.bottleneck_usd
    or sum(edges.weight) <> hops.gross_usd
