-- Money cycles: closed loops of money between companies, e.g. investor -> lab -> investor's cloud.
-- Grain: one row per (scenario, simple directed cycle of 2 to 5 hops over money_edges); at most
-- max_cycles (setting AIINFRA_MAX_CYCLES) per scenario, the largest bottleneck first.
-- `cycle` lists company ids in flow direction, starting at the smallest id, without repeating it at the
-- end. bottleneck_usd is the smallest edge weight (the most money that can go round the whole loop);
-- gross_usd is the sum of the edge weights. A cycle's bottleneck edge is its lightest edge (of equally
-- light ones, the one last in money_edges.weight_rank). cycle_rank orders the cycles by their bottleneck
-- edge's weight_rank, then by the companies from that edge on in flow direction, so equal bottlenecks
-- are listed, and cut off, the same way every time.
-- A cycle cites its edges, not their flows: each hop cycle[i] -> cycle[i + 1] (and the last back to the
-- first) is a row of money_edges, whose flow_ids are the flows behind it. Copying every edge's flows into
-- every cycle through it would grow with cycles x flows (36.8M ids for 15,186 cycles at 100k flows).
-- A dense graph has millions of cycles, so they are searched bottleneck edge by bottleneck edge, heaviest
-- first, each along heavier edges only, and the search stops once max_cycles are found: the cycles
-- listed are the max_cycles first of all of them. cycles_in_scenario says how many cycles there are
-- when the search went through every edge; otherwise cycles_counted_up_to says how many it had found.
--
-- columns:
--   scenario: as in scenario_flows
--   cycle_rank: 1 = the largest bottleneck; equal bottlenecks by their bottleneck edge's weight_rank, then by the companies from that edge on
--   bottleneck_edge_rank: money_edges.weight_rank of the cycle's bottleneck edge (its lightest; of equally light ones, the last ranked)
--   cycle: company ids in flow direction, starting at the smallest id, without repeating it at the end
--   hops: number of edges in the loop (= companies in cycle), 2 to 5
--   bottleneck_usd: smallest edge weight - the most money that can go round the whole loop; USD
--   gross_usd: sum of the edge weights of the loop, USD
--   cycles_in_scenario: how many cycles of 2 to 5 hops the scenario has; NULL when the search stopped at max_cycles
--   cycles_counted_up_to: NULL when every cycle was counted; else how many the search had found when it stopped at max_cycles (there are at least that many)
with recursive nodes as (
    select
        scenario,
        source as node
    from money_edges
    union
    select
        scenario,
        target
    from money_edges
),

legs as (
    -- Paths of 0, 1 or 2 hops, with the rank of their lightest edge (0: no edge).
    select
        scenario,
        node as source,
        null::varchar as via,
        node as target,
        0 as hops,
        0 as lightest_rank
    from nodes

    union all

    select
        scenario,
        source,
        null,
        target,
        1,
        weight_rank
    from money_edges

    union all

    select
        first.scenario,
        first.source,
        first.target as via,
        second.target,
        2,
        greatest(first.weight_rank, second.weight_rank)
    from money_edges as first
    inner join money_edges as second
        on
            second.scenario = first.scenario
            and second.source = first.target
            and second.target <> first.source
),

-- Each cycle once: its bottleneck edge u -> v, then a way back from v to u over edges ranked above
-- it. The way back (1 to 4 hops) is a first leg of 1 or 2 hops and a second of 0 to 2; the first has
-- 1 hop only when it reaches u, so each way back is split in one way only. Inlined, with plain columns
-- (lists are made after the join with a batch), so that DuckDB can join a batch's ranks first.
cycles_by_bottleneck as not materialized (
    select
        bottleneck.scenario,
        bottleneck.weight_rank as bottleneck_rank,
        bottleneck.source,
        bottleneck.target,
        first.via as first_via,
        first.target as first_target,
        second.via as second_via
    from money_edges as bottleneck
    inner join legs as first
        on
            first.scenario = bottleneck.scenario
            and first.source = bottleneck.target
            and first.hops > 0
            and first.lightest_rank < bottleneck.weight_rank
    inner join legs as second
        on
            second.scenario = bottleneck.scenario
            and second.source = first.target
            and second.target = bottleneck.source
            and second.lightest_rank < bottleneck.weight_rank
    where (first.hops = 2 or second.hops = 0)
    -- no company twice (the legs' own edges rule out the other repeats)
    and coalesce(first.via <> bottleneck.source, true)
    and coalesce(second.via not in (bottleneck.target, first.via), true)
),

-- The search, in batches of bottleneck ranks a quarter larger than the ranks searched so far (a few
-- dozen steps cover 100,000 edges), until max_cycles are found or every edge is searched. A batch
-- counts all its cycles and keeps the max_cycles first, each as its path from the bottleneck edge on.
batches (scenario, edges, up_to_rank, next_up_to_rank, cycles, kept) as (
    select
        scenario,
        count(*),
        0,
        1,
        0::bigint,
        []::struct(bottleneck_rank bigint, path varchar[])[]
    from money_edges
    group by scenario

    union all

    select
        batches.scenario,
        batches.edges,
        batches.next_up_to_rank,
        least(batches.edges, batches.next_up_to_rank * 5 // 4 + 1),
        batches.cycles + coalesce(batch.cycles, 0),
        coalesce(batch.kept, [])
    from batches
    -- a subquery, not a CTE: it reads the recursive batches
    left join (  -- noqa: ST05
        select
            batch_ranks.scenario,
            count(*) as cycles,
            -- path: the companies from the bottleneck edge on (the first leg ends at u itself when the
            -- second has no hop)
            min({
                bottleneck_rank: found.bottleneck_rank,
                path: list_filter([
                    found.source, found.target, found.first_via,
                    nullif(found.first_target, found.source), found.second_via
                ],
                lambda node: node is not null)
            },
            getvariable('max_cycles')) as kept
        -- The batch's ranks as rows, joined by equality, so that DuckDB starts the joins from the batch's
        -- bottleneck edges (given a range of ranks, it enumerated every cycle of the graph first).
        from (select
            scenario,
            unnest(range(up_to_rank + 1, next_up_to_rank + 1)) as bottleneck_rank
        from batches)
            as batch_ranks
        inner join cycles_by_bottleneck as found using (scenario, bottleneck_rank)
        group by batch_ranks.scenario
    ) as batch using (scenario)
    where
        batches.cycles < getvariable('max_cycles')
        and batches.up_to_rank < batches.edges
),

counts as (
    select
        scenario,
        cycles,
        up_to_rank = edges as all_counted
    from batches
    qualify up_to_rank = max(up_to_rank) over (partition by scenario)
),

ranked as (
    select
        batches.scenario,
        kept_cycle.bottleneck_rank as bottleneck_edge_rank,
        list_position(kept_cycle.path, list_min(kept_cycle.path)) as start,
        kept_cycle.path[start:] || kept_cycle.path[:start - 1] as cycle,
        row_number() over (
            partition by batches.scenario order by kept_cycle.bottleneck_rank, kept_cycle.path
        ) as cycle_rank
    from batches, unnest(batches.kept) as kept_cycles (kept_cycle)
    qualify cycle_rank <= getvariable('max_cycles')
),

hops as (
    select
        scenario,
        cycle_rank,
        bottleneck_edge_rank,
        cycle,
        cycle[i] as source,
        cycle[i % len(cycle) + 1] as target
    from ranked, range(1, len(cycle) + 1) as positions (i)
),

weighed as (
    select
        hops.scenario,
        hops.cycle_rank,
        hops.bottleneck_edge_rank,
        hops.cycle,
        min(money_edges.weight_usd) as bottleneck_usd,
        sum(money_edges.weight_usd) as gross_usd
    from hops
    inner join money_edges using (scenario, source, target)
    group by hops.scenario, hops.cycle_rank, hops.bottleneck_edge_rank, hops.cycle
)

select
    weighed.scenario,
    weighed.cycle_rank,
    weighed.bottleneck_edge_rank,
    weighed.cycle,
    len(weighed.cycle) as hops,
    weighed.bottleneck_usd,
    weighed.gross_usd,
    if(counts.all_counted, counts.cycles, null) as cycles_in_scenario,
    if(counts.all_counted, null, counts.cycles) as cycles_counted_up_to
from weighed
inner join counts using (scenario)
order by weighed.scenario, weighed.cycle_rank
