-- Each edge is the scenario's disclosed capital and spend-back flows from its source to its target:
-- every flow it cites goes that way and is of one of those classes, weight_usd is their sum (more
-- than 0) and capital_usd and spend_back_usd its parts by class; and every such flow of more than $0
-- is cited by its edge. Returns the edges that break this, and the flows no edge cites.
with cited as (
    select
        scenario,
        source,
        target,
        weight_usd,
        capital_usd,
        spend_back_usd,
        unnest(flow_ids) as flow_id
    from money_edges
),

wrong_edges as (
    select
        cited.scenario,
        cited.source,
        cited.target,
        null as flow_not_cited
    from cited
    left join scenario_flows as flows using (scenario, flow_id)
    group by cited.scenario, cited.source, cited.target, cited.weight_usd, cited.capital_usd, cited.spend_back_usd
    having not bool_and(coalesce(
        flows.from_company = cited.source and flows.to_company = cited.target
        and flows.flow_class in ('capital', 'spend_back') and flows.amount_usd is not null,
        false
    ))
    or sum(flows.amount_usd) <> cited.weight_usd
    or cited.weight_usd <= 0
    or coalesce(sum(flows.amount_usd) filter (where flows.flow_class = 'capital'), 0) <> cited.capital_usd
    or coalesce(sum(flows.amount_usd) filter (where flows.flow_class = 'spend_back'), 0) <> cited.spend_back_usd
),

flows_not_cited as (
    select
        flows.scenario,
        flows.from_company as source,
        flows.to_company as target,
        flows.flow_id as flow_not_cited
    from scenario_flows as flows
    anti join cited
        on
            cited.scenario = flows.scenario
            and cited.flow_id = flows.flow_id
            and cited.source = flows.from_company
            and cited.target = flows.to_company
    where
        flows.flow_class in ('capital', 'spend_back')
        and flows.amount_usd > 0
)

select * from wrong_edges
union all
select * from flows_not_cited
