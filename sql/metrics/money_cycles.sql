-- Money cycles: closed loops of money between companies, e.g. investor -> lab -> investor's cloud.
-- Grain: one row per (scenario, simple directed cycle of 2 to 5 hops).
-- The graph has one edge u -> v weighted by the summed disclosed amount of capital and spend-back
-- flows u -> v (edges of weight 0 are left out). `cycle` lists company ids in flow direction,
-- starting at the smallest id, without repeating it at the end. bottleneck_usd is the smallest edge
-- weight (the most money that can go round the whole loop); gross_usd is the sum of the edge weights.
--
-- columns:
--   scenario: headline or firm - which flows the row counts (the rules are in scenario_flows)
--   cycle: company ids in flow direction, starting at the smallest id, without repeating it at the end
--   hops: number of edges in the loop (= companies in cycle), 2 to 5
--   bottleneck_usd: smallest edge weight - the most money that can go round the whole loop; USD
--   gross_usd: sum of the edge weights of the loop, USD
--   flow_ids: ids of the disclosed capital and spend-back flows that make up its edges, sorted
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

-- A node with no edge in or no edge out cannot be on a cycle, and removing it can strand others:
-- prune until nothing changes, so the walks below never start from or pass through such nodes.
nodes as (
    select scenario, source as node from edges
    union
    select scenario, target as node from edges
),

off_cycle(scenario, node) using key (scenario, node) as (
    select scenario, node
    from nodes
    where not exists (from edges where edges.scenario = nodes.scenario and edges.target = nodes.node)
       or not exists (from edges where edges.scenario = nodes.scenario and edges.source = nodes.node)

    union

    select scenario, node
    from nodes
    where not exists (from recurring.off_cycle as pruned
                      where pruned.scenario = nodes.scenario and pruned.node = nodes.node)
      and (not exists (from edges
                       where edges.scenario = nodes.scenario and edges.target = nodes.node
                         and not exists (from recurring.off_cycle as pruned
                                         where pruned.scenario = edges.scenario and pruned.node = edges.source))
           or not exists (from edges
                          where edges.scenario = nodes.scenario and edges.source = nodes.node
                            and not exists (from recurring.off_cycle as pruned
                                            where pruned.scenario = edges.scenario and pruned.node = edges.target)))
),

cycle_edges as (
    select edges.*
    from edges
    anti join off_cycle as off_source
        on off_source.scenario = edges.scenario and off_source.node = edges.source
    anti join off_cycle as off_target
        on off_target.scenario = edges.scenario and off_target.node = edges.target
),

-- Walks start at a cycle's smallest node and only visit larger ones, so each cycle is found once,
-- already in canonical rotation; a walk stops when it returns to its start or reaches 5 hops. Walks
-- carry only their path (there are far more walks than cycles); weights are looked up per cycle.
walks as (
    select scenario, source as start_node, target as current_node, [source, target] as path
    from cycle_edges
    where target > source

    union all

    select walks.scenario, walks.start_node, cycle_edges.target, list_append(walks.path, cycle_edges.target)
    from walks
    inner join cycle_edges
        on cycle_edges.scenario = walks.scenario
       and cycle_edges.source = walks.current_node
    where walks.current_node <> walks.start_node
      and len(walks.path) <= 5
      and (cycle_edges.target = walks.start_node
           or (cycle_edges.target > walks.start_node and not list_contains(walks.path, cycle_edges.target)))
),

cycles as (
    select scenario, path[1:-2] as cycle
    from walks
    where current_node = start_node
),

hops as (
    select scenario, cycle, cycle[i] as source, cycle[i % len(cycle) + 1] as target
    from cycles, range(1, len(cycle) + 1) as positions(i)
)

select
    hops.scenario,
    hops.cycle,
    len(hops.cycle) as hops,
    min(cycle_edges.weight) as bottleneck_usd,
    sum(cycle_edges.weight) as gross_usd,
    list_sort(flatten(list(cycle_edges.flow_ids))) as flow_ids
from hops
inner join cycle_edges using (scenario, source, target)
group by hops.scenario, hops.cycle
order by hops.scenario, bottleneck_usd desc, hops.cycle
