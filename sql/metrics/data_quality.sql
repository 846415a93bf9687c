-- How well the published deal figures are sourced, for an analyst deciding what to quote.
-- Grain: one row per (measure, source_tier); source_tier is NULL on the rows that are not per tier.
-- Measures: flows_by_source_tier (every flow by the tier of its best source: filing, company,
-- major_outlet, other; a row per tier that has flows), on_primary_document (headline flows citing a company release or a filing),
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
        deal_flows.flow_id,
        deal_flows.source_tier,
        deal_flows.primary_source_url,
        deal_flows.last_verified_on,
        deal_flows.status,
        headline.flow_id is not null as in_headline,
        headline.amount_usd as headline_usd
    from deal_flows
    left join scenario_flows as headline
        on headline.flow_id = deal_flows.flow_id and headline.scenario = 'headline'
),

-- Each flow under every measure it falls in; the tiers are those the flows have.
tagged as (
    select
        'flows_by_source_tier' as measure,
        source_tier,
        flow_id,
        in_headline,
        headline_usd
    from flows
    union all
    select
        'on_primary_document',
        null,
        flow_id,
        in_headline,
        headline_usd
    from flows
    where in_headline and primary_source_url is not null
    union all
    select
        'not_reverified',
        null,
        flow_id,
        in_headline,
        headline_usd
    from flows, settings
    where last_verified_on < getvariable('run_day')::date - settings.reverify_after_days
    union all
    select
        'unverified',
        null,
        flow_id,
        in_headline,
        headline_usd
    from flows
    where status = 'unverified'
),

-- The measures that are not per tier get a row even when no flow falls in them.
measures as (
    select distinct
        measure,
        source_tier
    from tagged
    where measure = 'flows_by_source_tier'
    union all
    select * from (values ('on_primary_document', null), ('not_reverified', null), ('unverified', null))
),

counted as (
    select
        measures.measure,
        measures.source_tier,
        count(tagged.flow_id) as flows,
        count(tagged.flow_id) filter (where tagged.in_headline) as headline_flows,
        coalesce(sum(tagged.headline_usd), 0) as headline_usd,
        coalesce(list(tagged.flow_id order by tagged.flow_id) filter (where tagged.flow_id is not null), [])
            as flow_ids
    from measures
    left join tagged
        on tagged.measure = measures.measure and tagged.source_tier is not distinct from measures.source_tier
    group by all
),

shares as (
    select
        counted.*,
        counted.headline_usd / nullif((select sum(headline_usd) from flows), 0) as share_of_headline_usd,
        if(counted.measure = 'on_primary_document', settings.target_share, null) as target_share
    from counted, settings
)

select
    measure,
    source_tier,
    flows,
    headline_flows,
    headline_usd,
    share_of_headline_usd,
    target_share,
    share_of_headline_usd >= target_share as meets_target,
    flow_ids
from shares
order by measure, source_tier
