-- How well the published deal figures are sourced, for an analyst deciding what to quote.
-- Grain: one row per (measure, source_tier); source_tier is NULL on the rows that are not per tier.
-- Measures: flows_by_source_tier (every flow by the tier of its best source: filing, company,
-- major_outlet, other), on_primary_document (headline flows citing a company release or a filing),
-- not_reverified (flows last verified more than reverify_after_days before the run's day) and
-- unverified (flows that fail the verification rule: published, counted in no scenario).
-- Shares are of all headline dollars; target_share is set for on_primary_document (assumptions).
--
-- columns:
--   measure: flows_by_source_tier, on_primary_document, not_reverified or unverified
--   source_tier: filing, company, major_outlet or other for flows_by_source_tier; NULL otherwise
--   flows: number of flows the row covers (any status)
--   headline_flows: how many of them the headline scenario counts
--   headline_usd: their disclosed headline amounts, USD
--   share_of_headline_usd: headline_usd / all headline USD, 0-1
--   target_share: the share the measure should reach (primary_document_target_share); NULL when none
--   meets_target: share_of_headline_usd >= target_share; NULL when there is no target
--   flow_ids: ids of the flows the row covers, sorted
with settings as (
    select
        any_value(value) filter (where name = 'primary_document_target_share')::double as target_share,
        any_value(value) filter (where name = 'reverify_after_days')::integer as reverify_after_days
    from assumptions
),

flows as (
    select
        deal_flows.*,
        headline.flow_id is not null as in_headline,
        headline.amount_usd as headline_usd
    from deal_flows
    left join scenario_flows as headline
        on headline.flow_id = deal_flows.flow_id and headline.scenario = 'headline'
),

tagged as (
    select 'flows_by_source_tier' as measure, source_tier, flows.* exclude (source_tier) from flows
    union all by name
    select 'on_primary_document' as measure, null as source_tier, flows.* exclude (source_tier) from flows
    where in_headline and primary_source_url is not null
    union all by name
    select 'not_reverified' as measure, null as source_tier, flows.* exclude (source_tier) from flows, settings
    where last_verified_on is null
       or last_verified_on < getvariable('run_day')::date - settings.reverify_after_days
    union all by name
    select 'unverified' as measure, null as source_tier, flows.* exclude (source_tier) from flows
    where status = 'unverified'
),

measures as (
    select * from (values ('flows_by_source_tier', 'filing'), ('flows_by_source_tier', 'company'),
                          ('flows_by_source_tier', 'major_outlet'), ('flows_by_source_tier', 'other'),
                          ('on_primary_document', null), ('not_reverified', null), ('unverified', null))
        as m(measure, source_tier)
),

totals as (
    select sum(headline_usd) as headline_usd from flows
)

select
    measures.measure,
    measures.source_tier,
    count(tagged.flow_id) as flows,
    count(tagged.flow_id) filter (where tagged.in_headline) as headline_flows,
    coalesce(sum(tagged.headline_usd), 0) as headline_usd,
    coalesce(sum(tagged.headline_usd), 0) / nullif(any_value(totals.headline_usd), 0) as share_of_headline_usd,
    if(measures.measure = 'on_primary_document', any_value(settings.target_share), null) as target_share,
    if(measures.measure = 'on_primary_document',
       coalesce(sum(tagged.headline_usd), 0) / nullif(any_value(totals.headline_usd), 0)
           >= any_value(settings.target_share),
       null) as meets_target,
    coalesce(list(tagged.flow_id order by tagged.flow_id) filter (where tagged.flow_id is not null), [])
        as flow_ids
from measures
cross join totals
cross join settings
left join tagged
    on tagged.measure = measures.measure and tagged.source_tier is not distinct from measures.source_tier
group by measures.measure, measures.source_tier
order by measures.measure, measures.source_tier
