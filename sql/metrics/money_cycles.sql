-- Money cycles: closed loops of money between companies, e.g. investor -> lab -> investor's cloud.
-- Grain: one row per (scenario, simple directed cycle of 2 to 5 hops).
-- The graph has one edge u -> v weighted by the summed disclosed amount of capital and spend-back
-- flows u -> v (edges of weight 0 are left out). `cycle` lists company ids in flow direction,
-- starting at the smallest id, without repeating it at the end. bottleneck_usd is the smallest edge
-- weight (the most money that can go round the whole loop); gross_usd is the sum of the edge weights.
with recursive edges as (
    select
        scenario,
        from_company as source,
        to_company as target,
        sum(amount_usd) as weight,
        list(flow_id order by flow_id) as flow_ids
    from scenario_flows
    where flow_class in ('capital', 'spend_back')
      and amount_usd is not null
    group by all
    having sum(amount_usd) > 0
),

-- Walks start at a cycle's smallest node and only visit larger ones, so each cycle is found once,
-- already in canonical rotation; a walk stops when it returns to its start or reaches 5 hops.
walks as (
    select
        scenario,
        source as start_node,
        target as current_node,
        [source, target] as path,
        [weight] as weights,
        flow_ids
    from edges
    where target > source

    union all

    select
        walks.scenario,
        walks.start_node,
        edges.target,
        list_append(walks.path, edges.target),
        list_append(walks.weights, edges.weight),
        list_concat(walks.flow_ids, edges.flow_ids)
    from walks
    inner join edges
        on edges.scenario = walks.scenario
       and edges.source = walks.current_node
    where walks.current_node <> walks.start_node
      and len(walks.path) <= 5
      and (edges.target = walks.start_node
           or (edges.target > walks.start_node and not list_contains(walks.path, edges.target)))
)

select
    scenario,
    path[1:-2] as cycle,
    len(path) - 1 as hops,
    list_min(weights) as bottleneck_usd,
    list_sum(weights) as gross_usd,
    list_sort(flow_ids) as flow_ids
from walks
where current_node = start_node
order by scenario, bottleneck_usd desc, cycle
